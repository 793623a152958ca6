// Api::handle end to end below HTTP: what a client of `vpngw serve` sees.

#include <gtest/gtest.h>

#include "api/routes.hpp"
#include "api_fixture.hpp"
#include "gateway/peers.hpp"
#include "model/peer_limits.hpp"

namespace vpngw::api::test {
namespace {

using nlohmann::json;

TEST(ApiRoutes, MatchesPatternsAndRefusesOtherMethods) {
    Match m;
    ASSERT_EQ(match_route("GET", "/api/v1/peers/alice/qr.png", m), MatchResult::found);
    EXPECT_EQ(m.route->id, RouteId::peer_qr_png);
    EXPECT_EQ(m.params.at("name"), "alice");
    EXPECT_EQ(match_route("HEAD", "/api/v1/peers", m), MatchResult::found);
    EXPECT_EQ(match_route("PUT", "/api/v1/peers", m), MatchResult::wrong_method);
    EXPECT_EQ(match_route("GET", "/api/v1/peers/", m), MatchResult::not_found);  // empty name
    EXPECT_EQ(match_route("GET", "/api/v1/peers/a/b", m), MatchResult::not_found);
    EXPECT_EQ(match_route("GET", "/api/v2/peers", m), MatchResult::not_found);
    EXPECT_EQ(match_route("GET", "", m), MatchResult::not_found);
}

TEST(ApiAuth, NoTokenWrongTokenAndRevokedTokenAre401) {
    ApiFixture f;
    auto r = f.call("GET", "/api/v1/peers");
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(f.code(r), "unauthorized");
    r = f.as("vpngw_not-a-token", "GET", "/api/v1/peers");
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.body.find("not-a-token"), std::string::npos) << "the sent token is echoed";

    EXPECT_EQ(f.as(f.read_token, "GET", "/api/v1/peers").status, 200);
    auto tokens = f.store->tokens();
    ASSERT_TRUE(tokens);
    ASSERT_TRUE(f.store->revoke_token((*tokens)[1].id, f.now));
    EXPECT_EQ(f.as(f.read_token, "GET", "/api/v1/peers").status, 401);
}

TEST(ApiAuth, ReadScopeCannotChangeOrSeeConfigs) {
    ApiFixture f;
    auto r = f.as(f.read_token, "POST", "/api/v1/peers", R"({"name":"bob","group":"staff"})");
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(f.code(r), "forbidden");
    EXPECT_TRUE(f.fake.set_calls.empty());
    ASSERT_EQ(
        f.as(f.write_token, "POST", "/api/v1/peers", R"({"name":"bob","group":"staff"})").status,
        201);
    EXPECT_EQ(f.as(f.read_token, "GET", "/api/v1/peers/bob/config").status, 403);
    EXPECT_EQ(f.as(f.read_token, "GET", "/api/v1/peers/bob/qr.png").status, 403);
    EXPECT_EQ(f.as(f.read_token, "GET", "/api/v1/peers/bob").status, 200);
}

TEST(ApiAuth, FailedAuthenticationIsRateLimitedPerAddress) {
    ApiFixture f;
    int first_429 = -1;
    for (int i = 0; i < 30 && first_429 < 0; ++i)
        if (f.call("GET", "/api/v1/peers", "", {{"Authorization", "Bearer wrong"}}).status == 429)
            first_429 = i;
    EXPECT_EQ(first_429, 10);  // the burst is 10 failures
    // Blocked: even the right token is not looked at from that address...
    auto r = f.call("GET", "/api/v1/peers", "", {{"Authorization", "Bearer " + f.write_token}});
    EXPECT_EQ(r.status, 429);
    EXPECT_NE(f.header(r, "Retry-After"), "");
    // ...another address is not affected...
    EXPECT_EQ(f.call("GET", "/api/v1/peers", "", {{"Authorization", "Bearer " + f.write_token}},
                     "192.0.2.8")
                  .status,
              200);
    // ...and the address may try again once a failure's worth of time passed.
    f.now += 6;
    EXPECT_EQ(
        f.call("GET", "/api/v1/peers", "", {{"Authorization", "Bearer " + f.write_token}}).status,
        200);
}

TEST(ApiAuth, BrowserSessionNeedsCsrfTokenForChanges) {
    ApiFixture f;
    auto login = f.call("POST", "/api/v1/session", json{{"token", f.write_token}}.dump());
    ASSERT_EQ(login.status, 201) << login.body;
    const std::string cookie_header = f.header(login, "Set-Cookie");
    EXPECT_NE(cookie_header.find("HttpOnly"), std::string::npos);
    EXPECT_NE(cookie_header.find("SameSite=Strict"), std::string::npos);
    EXPECT_EQ(login.body.find(f.write_token), std::string::npos);
    const std::string cookie = cookie_header.substr(0, cookie_header.find(';'));
    const std::string csrf = f.json(login)["csrf"];

    EXPECT_EQ(f.call("GET", "/api/v1/peers", "", {{"Cookie", cookie}}).status, 200);
    const std::string add = R"({"name":"carol","group":"staff"})";
    auto r = f.call("POST", "/api/v1/peers", add, {{"Cookie", cookie}});
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(f.code(r), "csrf_failed");
    r = f.call("POST", "/api/v1/peers", add, {{"Cookie", cookie}, {"X-CSRF-Token", "forged"}});
    EXPECT_EQ(r.status, 403);
    EXPECT_TRUE(f.fake.set_calls.empty());
    r = f.call("POST", "/api/v1/peers", add, {{"Cookie", cookie}, {"X-CSRF-Token", csrf}});
    EXPECT_EQ(r.status, 201) << r.body;

    // Sessions end: after the idle hour, and at once with their token.
    f.now += SessionTable::kIdle;
    EXPECT_EQ(f.code(f.call("GET", "/api/v1/peers", "", {{"Cookie", cookie}})), "session_expired");
}

TEST(ApiAuth, RevokingTheTokenEndsItsSessions) {
    ApiFixture f;
    auto login = f.call("POST", "/api/v1/session", json{{"token", f.read_token}}.dump());
    ASSERT_EQ(login.status, 201);
    const std::string cookie =
        f.header(login, "Set-Cookie").substr(0, f.header(login, "Set-Cookie").find(';'));
    EXPECT_EQ(f.call("GET", "/api/v1/peers", "", {{"Cookie", cookie}}).status, 200);
    auto tokens = f.store->tokens();
    ASSERT_TRUE(tokens);
    ASSERT_TRUE(f.store->revoke_token((*tokens)[1].id, f.now));
    EXPECT_EQ(f.call("GET", "/api/v1/peers", "", {{"Cookie", cookie}}).status, 401);
}

TEST(ApiAuth, WrongLoginTokenIsCountedAndNotEchoed) {
    ApiFixture f;
    auto r = f.call("POST", "/api/v1/session", R"({"token":"guess-123"})");
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.body.find("guess-123"), std::string::npos);
    EXPECT_EQ(f.log.find("guess-123"), std::string::npos);
}

TEST(ApiPeers, AddedThroughTheApiIsWhatTheCliListsAndTheReverse) {
    ApiFixture f;
    auto r = f.as(f.write_token, "POST", "/api/v1/peers", R"({"name":"alice","group":"staff"})");
    ASSERT_EQ(r.status, 201) << r.body;
    const auto added = f.json(r);
    EXPECT_EQ(added["peer"]["name"], "alice");
    EXPECT_EQ(added["applied"], true);
    ASSERT_EQ(f.fake.set_calls.size(), 1u);
    EXPECT_EQ(r.body.find("PrivateKey"), std::string::npos) << "the add response carries no key";

    // The CLI's code sees it (gateway::list_peers, as `vpngw peer list`).
    {
        auto s = gateway::test::open(*f.options.state_dir);
        s.lock.reset();
        auto listing = gateway::list_peers(s, f.fake);
        ASSERT_TRUE(listing.ok()) << listing.error().str();
        bool found = false;
        for (const auto& p : listing->peers)
            if (p.name == "alice") {
                found = true;
                EXPECT_EQ(p.address->str(), added["peer"]["address"]);
            }
        EXPECT_TRUE(found);
        // And one the CLI's code adds appears in the API.
        auto s2 = gateway::test::open(*f.options.state_dir);
        ASSERT_TRUE(gateway::add_peer(s2, {"dave", "staff", std::nullopt, false}, f.fake));
    }
    auto list = f.json(f.as(f.read_token, "GET", "/api/v1/peers"));
    std::set<std::string> names;
    for (const auto& p : list["peers"]) names.insert(p["name"]);
    EXPECT_TRUE(names.count("alice") && names.count("dave"));
    auto search = f.json(f.as(f.read_token, "GET", "/api/v1/peers?q=dav"));
    ASSERT_EQ(search["peers"].size(), 1u);
    EXPECT_EQ(search["peers"][0]["name"], "dave");
    EXPECT_EQ(f.json(f.as(f.read_token, "GET", "/api/v1/peers/dave"))["group"], "staff");
}

TEST(ApiPeers, ConfigAndQrAreServedNotCachedAndRemoveForgetsLinks) {
    ApiFixture f;
    ASSERT_EQ(
        f.as(f.write_token, "POST", "/api/v1/peers", R"({"name":"erin","group":"staff"})").status,
        201);
    auto conf = f.as(f.write_token, "GET", "/api/v1/peers/erin/config");
    ASSERT_EQ(conf.status, 200);
    EXPECT_NE(conf.body.find("[Interface]"), std::string::npos);
    EXPECT_EQ(f.header(conf, "Cache-Control"), "no-store");
    auto png = f.as(f.write_token, "GET", "/api/v1/peers/erin/qr.png");
    ASSERT_EQ(png.status, 200);
    EXPECT_EQ(png.body.substr(1, 3), "PNG");
    auto svg = f.as(f.write_token, "GET", "/api/v1/peers/erin/qr.svg");
    EXPECT_NE(svg.body.find("<svg"), std::string::npos);
    EXPECT_EQ(f.log.find("PrivateKey"), std::string::npos);

    auto link = f.as(f.write_token, "POST", "/api/v1/peers/erin/link", R"({"ttl_seconds":3600})");
    ASSERT_EQ(link.status, 201);
    const std::string path = f.json(link)["path"];
    auto removed = f.as(f.write_token, "DELETE", "/api/v1/peers/erin");
    ASSERT_EQ(removed.status, 200) << removed.body;
    EXPECT_EQ(f.call("GET", path).status, 410);
    EXPECT_EQ(f.code(f.as(f.write_token, "DELETE", "/api/v1/peers/erin")), "peer_not_found");
    EXPECT_EQ(f.as(f.write_token, "GET", "/api/v1/peers/erin").status, 404);
}

TEST(ApiPeers, BadRequestsGetStableCodesAndChangeNothing) {
    ApiFixture f;
    struct Case {
        std::string body;
        int status;
        std::string code;
    };
    const Case cases[] = {
        {"not json", 400, "invalid_json"},
        {"[1]", 400, "invalid_json"},
        {R"({"name":"x","group":"staff","admin":true})", 400, "invalid_field"},
        {R"({"name":5,"group":"staff"})", 400, "invalid_field"},
        {R"({"name":"<script>alert(1)</script>","group":"staff"})", 400, "invalid_name"},
        {R"({"name":"ok","group":"nope"})", 400, "unknown_group"},
        {R"({"name":"ok","group":"staff","public_key":"short"})", 400, "invalid_public_key"},
        {R"({"name":"fixed","group":"staff"})", 409, "conflict"},
    };
    for (const auto& c : cases) {
        auto r = f.as(f.write_token, "POST", "/api/v1/peers", c.body);
        EXPECT_EQ(r.status, c.status) << c.body << " -> " << r.body;
        EXPECT_EQ(f.code(r), c.code) << c.body << " -> " << r.body;
        EXPECT_EQ(r.content_type, "application/json");
    }
    EXPECT_TRUE(f.fake.set_calls.empty());
    EXPECT_EQ(f.as(f.read_token, "GET", "/api/v1/nothing").status, 404);
    EXPECT_EQ(f.code(f.as(f.read_token, "PUT", "/api/v1/peers")), "method_not_allowed");
    EXPECT_EQ(f.code(f.as(f.write_token, "POST", "/api/v1/peers/nobody/rotate")), "peer_not_found");
}

TEST(ApiLifecycle, DisableEnableRotateEditAndTheAuditTrail) {
    ApiFixture f;
    ASSERT_EQ(
        f.as(f.write_token, "POST", "/api/v1/peers", R"({"name":"gina","group":"staff"})").status,
        201);
    EXPECT_EQ(f.as(f.read_token, "POST", "/api/v1/peers/gina/disable").status, 403);

    const auto removes = f.fake.remove_calls.size();
    auto r = f.as(f.write_token, "POST", "/api/v1/peers/gina/disable");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(f.json(r)["peer"]["disabled"], true);
    EXPECT_GT(f.fake.remove_calls.size(), removes) << "disable takes the peer out of WireGuard";
    EXPECT_EQ(f.json(f.as(f.read_token, "GET", "/api/v1/peers/gina"))["disabled"], true);
    EXPECT_EQ(f.code(f.as(f.write_token, "POST", "/api/v1/peers/gina/disable")), "conflict");

    const auto sets = f.fake.set_calls.size();
    r = f.as(f.write_token, "POST", "/api/v1/peers/gina/enable");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(f.json(r)["peer"]["disabled"], false);
    EXPECT_GT(f.fake.set_calls.size(), sets) << "enable puts it back";

    const std::string before = f.as(f.write_token, "GET", "/api/v1/peers/gina/config").body;
    r = f.as(f.write_token, "POST", "/api/v1/peers/gina/rotate");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(f.json(r)["config_changed"], true);
    EXPECT_EQ(r.body.find("PrivateKey"), std::string::npos) << "the new key is fetched, not pushed";
    const std::string after = f.as(f.write_token, "GET", "/api/v1/peers/gina/config").body;
    EXPECT_NE(gateway::test::config_value(before, "PrivateKey"),
              gateway::test::config_value(after, "PrivateKey"));
    EXPECT_EQ(f.code(f.as(f.write_token, "POST", "/api/v1/peers/gina/rotate", R"({"psk_only":1})")),
              "invalid_field");

    r = f.as(f.write_token, "PATCH", "/api/v1/peers/gina", R"({"name":"gina2","expires":"30d"})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(f.json(r)["peer"]["name"], "gina2");
    EXPECT_EQ(
        f.json(r)["peer"]["expires"],
        model::format_time(std::chrono::sys_seconds{std::chrono::seconds{f.now + 30 * 86400}}));
    EXPECT_EQ(f.as(f.read_token, "GET", "/api/v1/peers/gina").status, 404);
    EXPECT_EQ(f.code(f.as(f.write_token, "PATCH", "/api/v1/peers/gina2", R"({"quota":"lots"})")),
              "invalid_field");
    EXPECT_EQ(f.code(f.as(f.write_token, "PATCH", "/api/v1/peers/gina2", R"({"colour":"red"})")),
              "invalid_field");
    r = f.as(f.write_token, "PATCH", "/api/v1/peers/gina2", R"({"expires":null})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_TRUE(f.json(r)["peer"]["expires"].is_null());

    // The audit trail names the token that made each change.
    auto log = f.json(f.as(f.read_token, "GET", "/api/v1/log"));
    std::vector<std::string> users;
    for (const auto& e : log["entries"]) users.push_back(e["user"]);
    ASSERT_GE(users.size(), 5u) << log.dump();
    for (const auto& u : users) EXPECT_EQ(u, "api token 1 (test)");
    EXPECT_EQ(f.log.find("PrivateKey"), std::string::npos);
}

TEST(ApiLinks, AOneTimeLinkWorksOnceThenAnswers410) {
    ApiFixture f;
    ASSERT_EQ(
        f.as(f.write_token, "POST", "/api/v1/peers", R"({"name":"frank","group":"staff"})").status,
        201);
    auto made = f.store->create_link("frank", 3600, f.now);
    ASSERT_TRUE(made);
    const std::string secret = made->secret.str();
    auto page = f.call("GET", "/l/" + secret);
    EXPECT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("link.js"), std::string::npos);
    EXPECT_EQ(f.log.find(secret), std::string::npos) << "the link's secret reached the log";

    // Loading the page does not use the link; redeeming does, once.
    auto first = f.call("POST", "/api/v1/links/redeem", json{{"secret", secret}}.dump());
    ASSERT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(f.json(first)["name"], "frank");
    EXPECT_NE(f.json(first)["config"].get<std::string>().find("[Interface]"), std::string::npos);
    auto second = f.call("POST", "/api/v1/links/redeem", json{{"secret", secret}}.dump());
    EXPECT_EQ(second.status, 410);
    EXPECT_EQ(f.code(second), "link_gone");
    EXPECT_EQ(f.call("GET", "/l/" + secret).status, 410);

    // Expired links are gone too; unknown ones are 404 and count as failures.
    auto old = f.store->create_link("frank", 60, f.now);
    ASSERT_TRUE(old);
    f.now += 60;
    EXPECT_EQ(f.call("GET", "/l/" + old->secret.str()).status, 410);
    EXPECT_EQ(f.call("GET", "/l/guessed").status, 404);
}

TEST(ApiPage, EveryResponseCarriesTheSecurityHeaders) {
    ApiFixture f;
    for (const char* path : {"/", "/app.js", "/app.css", "/link.js", "/api/v1/openapi.json",
                             "/api/v1/peers", "/nope"}) {
        auto r = f.call("GET", path);
        const std::string csp = f.header(r, "Content-Security-Policy");
        EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << path;
        EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << path;
        EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << path;
        EXPECT_EQ(f.header(r, "X-Content-Type-Options"), "nosniff") << path;
        EXPECT_EQ(f.header(r, "X-Frame-Options"), "DENY") << path;
    }
    auto index = f.call("GET", "/");
    EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
    // No inline script or style, nothing from another origin.
    EXPECT_EQ(index.body.find("<script>"), std::string::npos);
    EXPECT_EQ(index.body.find("style="), std::string::npos);
    EXPECT_EQ(index.body.find("http"), std::string::npos);
    EXPECT_EQ(f.call("GET", "/app.js").content_type, "text/javascript; charset=utf-8");
    // The page puts server data into the DOM as text only.
    EXPECT_EQ(f.call("GET", "/app.js").body.find("innerHTML"), std::string::npos);
    EXPECT_EQ(f.call("GET", "/link.js").body.find("innerHTML"), std::string::npos);
}

}  // namespace
}  // namespace vpngw::api::test
