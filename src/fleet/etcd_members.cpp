#include "fleet/etcd_members.hpp"

#include <nlohmann/json.hpp>

namespace vpngw::fleet {

Result<std::vector<EtcdMember>> decode_members(std::string_view text) {
    const auto bad = [](const char* what) {
        return Error{std::string("unexpected member list from etcd: ") + what};
    };
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
    std::vector<EtcdMember> out;
    auto members = j.find("members");
    if (members == j.end()) return out;
    if (!members->is_array()) return bad("\"members\" is not an array");
    for (const auto& m : *members) {
        if (!m.is_object()) return bad("a member is not an object");
        EtcdMember member;
        if (auto n = m.find("name"); n != m.end()) {
            if (!n->is_string()) return bad("a member's \"name\" is not a string");
            member.name = n->get<std::string>();
        }
        if (auto urls = m.find("clientURLs"); urls != m.end()) {
            if (!urls->is_array()) return bad("\"clientURLs\" is not an array");
            for (const auto& u : *urls) {
                if (!u.is_string()) return bad("a client URL is not a string");
                member.client_urls.push_back(u.get<std::string>());
            }
        }
        out.push_back(std::move(member));
    }
    return out;
}

Result<std::vector<EtcdMember>> list_members(Transport& transport) {
    // Linearizable by default: a member without quorum refuses, which is
    // what status should say then. The body is the (empty) request message.
    auto body = transport.post("/v3/cluster/member/list", "{}");
    if (!body) return body.error();
    return decode_members(*body);
}

}  // namespace vpngw::fleet
