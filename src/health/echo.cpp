#include "health/echo.hpp"

#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <sodium.h>

#include <algorithm>
#include <cstring>

namespace vpngw::health {

namespace {

std::uint16_t checksum(const std::uint8_t* data, std::size_t len) {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i + 1 < len; i += 2) sum += (data[i] << 8) | data[i + 1];
    if (len % 2) sum += data[len - 1] << 8;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

std::uint16_t u16_at(std::span<const std::uint8_t> p, std::size_t at) {
    return static_cast<std::uint16_t>((p[at] << 8) | p[at + 1]);
}

}  // namespace

Echo new_echo(std::uint16_t id, std::uint16_t seq) {
    Echo e{.id = id, .seq = seq};
    randombytes_buf(e.cookie.data(), e.cookie.size());
    return e;
}

std::array<std::uint8_t, kEchoSize> echo_request(bool v6, const Echo& e) {
    std::array<std::uint8_t, kEchoSize> p{};
    p[0] = v6 ? std::uint8_t{ICMP6_ECHO_REQUEST} : std::uint8_t{ICMP_ECHO};
    p[4] = e.id >> 8;
    p[5] = e.id & 0xff;
    p[6] = e.seq >> 8;
    p[7] = e.seq & 0xff;
    std::memcpy(p.data() + 8, e.cookie.data(), e.cookie.size());
    if (!v6) {
        const std::uint16_t sum = checksum(p.data(), p.size());
        p[2] = sum >> 8;
        p[3] = sum & 0xff;
    }
    return p;
}

bool is_echo_reply(bool v6, std::span<const std::uint8_t> packet, const Echo& e) {
    if (!v6) {
        if (packet.size() < 20 || (packet[0] >> 4) != 4) return false;
        const std::size_t header = (packet[0] & 0x0f) * 4;
        if (header < 20 || packet.size() < header) return false;
        packet = packet.subspan(header);
    }
    if (packet.size() < kEchoSize) return false;
    const std::uint8_t want = v6 ? std::uint8_t{ICMP6_ECHO_REPLY} : std::uint8_t{ICMP_ECHOREPLY};
    if (packet[0] != want || packet[1] != 0) return false;
    if (u16_at(packet, 4) != e.id || u16_at(packet, 6) != e.seq) return false;
    // The cookie is not a secret once sent (it crossed the uplink), so a
    // plain comparison is enough: it only has to be unguessable beforehand.
    return std::equal(e.cookie.begin(), e.cookie.end(), packet.begin() + 8);
}

}  // namespace vpngw::health
