#include "profile/overlaps.hpp"

#include <algorithm>

#include "util/repeats.hpp"

namespace vpngw::profile {

namespace {

struct Open {
    std::size_t item;         // position in the sorted order
    std::size_t chain_min;    // lowest index among this prefix and its containers
    std::size_t subtree_min;  // lowest index among its descendants seen so far
};

}  // namespace

std::vector<std::size_t> earliest_overlaps(const std::vector<Prefix>& prefixes) {
    const std::size_t n = prefixes.size();
    std::vector<Prefix> net(n);
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) {
        net[i] = prefixes[i].network();
        order[i] = i;
    }
    // Containers before what they contain; equal prefixes in index order.
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (net[a].addr != net[b].addr) return net[a].addr < net[b].addr;
        if (net[a].len != net[b].len) return net[a].len < net[b].len;
        return a < b;
    });

    std::vector<std::size_t> above(n, kNoRepeat);  // lowest index among the containers
    std::vector<std::size_t> below(n, kNoRepeat);  // lowest index among the descendants
    std::vector<Open> stack;
    auto close_top = [&] {
        const Open done = stack.back();
        stack.pop_back();
        below[order[done.item]] = done.subtree_min;
        if (!stack.empty()) {
            Open& parent = stack.back();
            parent.subtree_min = std::min({parent.subtree_min, done.subtree_min, order[done.item]});
        }
    };
    for (std::size_t k = 0; k < n; ++k) {
        const Prefix& p = net[order[k]];
        while (!stack.empty() && !net[order[stack.back().item]].contains(p)) close_top();
        const std::size_t containers = stack.empty() ? kNoRepeat : stack.back().chain_min;
        above[order[k]] = containers;
        stack.push_back({k, std::min(containers, order[k]), kNoRepeat});
    }
    while (!stack.empty()) close_top();

    std::vector<std::size_t> out(n, kNoRepeat);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t lowest = std::min(above[i], below[i]);
        if (lowest < i) out[i] = lowest;
    }
    return out;
}

}  // namespace vpngw::profile
