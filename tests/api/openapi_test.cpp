// The OpenAPI document served at /api/v1/openapi.json: every route the
// server registers is in it and nothing else is, and it holds together as
// an OpenAPI 3.0 document (the rules of the specification that a document
// like ours can break: required fields, path templates and their
// parameters, response keys, references, unique operation ids).

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "api/api.hpp"
#include "api/routes.hpp"

namespace vpngw::api {
namespace {

using nlohmann::json;

const std::set<std::string> kMethods = {"get",     "put",  "post",  "delete",
                                        "options", "head", "patch", "trace"};

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

json document() {
    return json::parse(Api::openapi_document());
}

TEST(OpenApi, EveryRouteIsDocumentedAndEveryDocumentedRouteExists) {
    const json doc = document();
    std::set<std::pair<std::string, std::string>> served, documented;
    for (const auto& r : routes())
        if (r.api) served.insert({r.pattern, lower(r.method)});
    for (const auto& [path, item] : doc["paths"].items())
        for (const auto& [method, op] : item.items())
            if (kMethods.count(method)) documented.insert({path, method});
    for (const auto& s : served)
        EXPECT_TRUE(documented.count(s)) << s.second << " " << s.first << " is not in openapi.json";
    for (const auto& d : documented)
        EXPECT_TRUE(served.count(d))
            << d.second << " " << d.first << " is documented but not served";
    EXPECT_GE(served.size(), 18u);
}

// Resolves a local "#/a/b" reference, or null.
const json* resolve(const json& doc, const std::string& ref) {
    if (!ref.starts_with("#/")) return nullptr;
    const json* at = &doc;
    std::size_t i = 2;
    while (i <= ref.size()) {
        const auto slash = ref.find('/', i);
        const std::string key =
            ref.substr(i, slash == std::string::npos ? std::string::npos : slash - i);
        if (!at->is_object() || !at->contains(key)) return nullptr;
        at = &(*at)[key];
        if (slash == std::string::npos) break;
        i = slash + 1;
    }
    return at;
}

void check_refs(const json& doc, const json& node, const std::string& where) {
    if (node.is_object()) {
        if (node.contains("$ref")) {
            EXPECT_NE(resolve(doc, node["$ref"]), nullptr) << where << ": " << node["$ref"];
        }
        for (const auto& [k, v] : node.items()) check_refs(doc, v, where + "/" + k);
    } else if (node.is_array()) {
        for (std::size_t i = 0; i < node.size(); ++i)
            check_refs(doc, node[i], where + "/" + std::to_string(i));
    }
}

TEST(OpenApi, IsAWellFormedOpenApi30Document) {
    const json doc = document();
    ASSERT_TRUE(doc.is_object());
    EXPECT_TRUE(std::regex_match(doc.value("openapi", ""), std::regex(R"(3\.0\.\d+)")));
    ASSERT_TRUE(doc.contains("info"));
    EXPECT_TRUE(doc["info"]["title"].is_string());
    EXPECT_TRUE(doc["info"]["version"].is_string());
    ASSERT_TRUE(doc["paths"].is_object());
    for (const auto& [k, v] : doc.items())
        EXPECT_TRUE(std::set<std::string>({"openapi", "info", "servers", "paths", "components",
                                           "security", "tags", "externalDocs"})
                        .count(k))
            << k;

    const auto& schemes = doc["components"]["securitySchemes"];
    std::set<std::string> operation_ids;
    for (const auto& [path, item] : doc["paths"].items()) {
        ASSERT_TRUE(path.starts_with("/")) << path;
        // The template's parameters, each declared once as in: path, required.
        std::set<std::string> templ;
        static const std::regex param(R"(\{([^}]+)\})");
        for (std::sregex_iterator it(path.begin(), path.end(), param), end; it != end; ++it)
            templ.insert((*it)[1]);
        for (const auto& [method, op] : item.items()) {
            if (method == "parameters" || method == "summary" || method == "description") continue;
            ASSERT_TRUE(kMethods.count(method)) << path << ": " << method;
            const std::string where = method + " " + path;
            std::set<std::string> declared;
            for (const auto* params : {&item, &op})
                if (params->contains("parameters"))
                    for (const auto& p : (*params)["parameters"]) {
                        ASSERT_TRUE(p.contains("name") && p.contains("in")) << where;
                        EXPECT_TRUE(std::set<std::string>({"query", "header", "path", "cookie"})
                                        .count(p["in"]))
                            << where;
                        EXPECT_TRUE(p.contains("schema") || p.contains("content")) << where;
                        if (p["in"] == "path") {
                            EXPECT_EQ(p.value("required", false), true) << where;
                            declared.insert(p["name"]);
                        }
                    }
            EXPECT_EQ(declared, templ) << where;
            ASSERT_TRUE(op.contains("responses") && op["responses"].is_object() &&
                        !op["responses"].empty())
                << where;
            for (const auto& [code, resp] : op["responses"].items()) {
                EXPECT_TRUE(code == "default" ||
                            std::regex_match(code, std::regex(R"([1-5](\d\d|XX))")))
                    << where << " " << code;
                EXPECT_TRUE(resp.contains("description") && resp["description"].is_string())
                    << where << " " << code;
            }
            ASSERT_TRUE(op.contains("operationId")) << where;
            EXPECT_TRUE(operation_ids.insert(op["operationId"]).second)
                << "duplicate " << op["operationId"];
            if (op.contains("requestBody")) {
                EXPECT_TRUE(op["requestBody"]["content"].is_object()) << where;
            }
            if (op.contains("security")) {
                for (const auto& req : op["security"])
                    for (const auto& [name, scopes] : req.items())
                        EXPECT_TRUE(schemes.contains(name)) << where;
            }
        }
    }
    for (const auto& req : doc["security"])
        for (const auto& [name, scopes] : req.items()) EXPECT_TRUE(schemes.contains(name)) << name;
    check_refs(doc, doc, "#");
}

}  // namespace
}  // namespace vpngw::api
