#pragma once

// An Api on the peer tests' fixture profile with a temp state directory, a
// fake running gateway and a clock the test moves; requests go straight to
// Api::handle.

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "api/api.hpp"
#include "api/store.hpp"
#include "store/state_paths.hpp"
#include "support/peer_session.hpp"

namespace vpngw::api::test {

// Forwards to the fixture's fake, which outlives every request.
struct FakeRef : gateway::LiveGateway {
    explicit FakeRef(gateway::test::FakeLive& f) : f(f) {}
    gateway::test::FakeLive& f;
    bool interface_up(const model::Interface& i) override { return f.interface_up(i); }
    Result<bool> firewall_up() override { return f.firewall_up(); }
    Result<wg::ObservedDevice> observe(const model::Interface& i) override { return f.observe(i); }
    Status set_peer(const model::Interface& i, const wg::PeerConfig& p) override {
        return f.set_peer(i, p);
    }
    Status remove_peer(const model::Interface& i, const PublicKey& k) override {
        return f.remove_peer(i, k);
    }
    Status change_elements(const std::vector<nft::ElementChange>& c) override {
        return f.change_elements(c);
    }
    Status change_objects(const std::vector<nft::ObjectChange>& o,
                          const std::vector<nft::ElementChange>& e) override {
        return f.change_objects(o, e);
    }
    Status run_nft(const std::string& commands) override { return f.run_nft(commands); }
    Status change_route(const state::Route& r, bool add) override { return f.change_route(r, add); }
    std::string backend_name(const model::Interface& i) override { return f.backend_name(i); }
};

class ApiFixture {
  public:
    ApiFixture() {
        options.profile_path = gateway::test::kFixture;
        options.state_dir = dir / "state";
        ApiOptions ao;
        ao.gateway = options;
        ao.live = [this] { return std::make_unique<FakeRef>(fake); };
        ao.clock = [this] { return now; };
        ao.log = [this](const std::string& line) { log += line + "\n"; };
        auto a = Api::open(ao);
        if (!a) throw std::runtime_error(a.error().str());
        api = std::move(*a);
        auto s = Store::open(store::StatePaths{*options.state_dir}.api_db_file());
        if (!s) throw std::runtime_error(s.error().str());
        store.emplace(std::move(*s));
        write_token = make_token(Scope::write);
        read_token = make_token(Scope::read);
    }

    std::string make_token(Scope scope) {
        auto t = store->create_token("test", scope, now);
        if (!t) throw std::runtime_error(t.error().str());
        return t->secret.str();
    }

    http::Response call(std::string method, std::string path, std::string body = "",
                        std::vector<std::pair<std::string, std::string>> headers = {},
                        std::string ip = "192.0.2.7") {
        http::Request r;
        r.method = std::move(method);
        const auto q = path.find('?');
        if (q != std::string::npos) {
            const std::string query = path.substr(q + 1);
            const auto eq = query.find('=');
            r.query.emplace(query.substr(0, eq),
                            eq == std::string::npos ? "" : query.substr(eq + 1));
            path.resize(q);
        }
        r.path = std::move(path);
        r.body = std::move(body);
        r.headers = std::move(headers);
        r.remote_ip = std::move(ip);
        return api->handle(r);
    }

    http::Response as(const std::string& token, std::string method, std::string path,
                      std::string body = "") {
        return call(std::move(method), std::move(path), std::move(body),
                    {{"Authorization", "Bearer " + token}});
    }

    static nlohmann::json json(const http::Response& r) { return nlohmann::json::parse(r.body); }
    static std::string code(const http::Response& r) {
        auto j = nlohmann::json::parse(r.body, nullptr, false);
        if (j.is_discarded() || !j.contains("error")) return "";
        return j["error"]["code"].get<std::string>();
    }
    static std::string header(const http::Response& r, const std::string& name) {
        for (const auto& [k, v] : r.headers)
            if (k == name) return v;
        return "";
    }

    TempDir dir;
    gateway::Options options;
    gateway::test::FakeLive fake;
    std::int64_t now = 1'800'000'000;
    std::string log;
    std::unique_ptr<Api> api;
    std::optional<Store> store;
    std::string write_token, read_token;
};

}  // namespace vpngw::api::test
