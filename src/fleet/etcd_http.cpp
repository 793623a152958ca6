#include "fleet/etcd_http.hpp"

#include <httplib.h>

#include <csignal>
#include <functional>
#include <thread>

namespace vpngw::fleet {
namespace {

std::unique_ptr<httplib::Client> make_client(const model::EtcdSettings& s,
                                             const model::EtcdEndpoint& e, const HttpTimeouts& t) {
    std::unique_ptr<httplib::Client> c;
    // Without a client certificate the plain constructor: httplib's other
    // one would try to load "" as a certificate file.
    if (e.tls && !s.cert_file.empty())
        c = std::make_unique<httplib::Client>(e.url(), s.cert_file, s.key_file);
    else
        c = std::make_unique<httplib::Client>(e.url());
    if (e.tls) {
        c->set_ca_cert_path(s.ca_file);
        c->enable_server_certificate_verification(true);
    }
    const auto secs = [](std::chrono::milliseconds ms) { return ms.count() / 1000; };
    const auto usecs = [](std::chrono::milliseconds ms) { return ms.count() % 1000 * 1000; };
    c->set_connection_timeout(secs(t.connect), usecs(t.connect));
    c->set_read_timeout(secs(t.read), usecs(t.read));
    c->set_write_timeout(secs(t.read), usecs(t.read));
    c->set_keep_alive(true);
    return c;
}

class HttpTransport final : public Transport {
  public:
    HttpTransport(const model::EtcdSettings& s, HttpTimeouts t) : settings_(s) {
        for (const auto& e : s.endpoints) clients_.push_back(make_client(s, e, t));
    }

    // Answers given during a leader election are asked again for a few
    // election timeouts; then the last answer stands.
    Result<std::string> post(std::string_view path, const std::string& body) override {
        const auto deadline = std::chrono::steady_clock::now() + kElectionGrace;
        for (;;) {
            bool election = false;
            auto r = post_once(path, body, election);
            if (r || !election || std::chrono::steady_clock::now() >= deadline) return r;
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    }

  private:
    static constexpr std::chrono::seconds kElectionGrace{5};

    Result<std::string> post_once(std::string_view path, const std::string& body, bool& election) {
        std::string unreachable;
        for (std::size_t i = 0; i < clients_.size(); ++i) {
            const std::size_t at = (next_ + i) % clients_.size();
            auto res = clients_[at]->Post(std::string(path), body, "application/json");
            if (!res) {
                unreachable += (unreachable.empty() ? "" : "; ") + settings_.endpoints[at].url() +
                               ": " + httplib::to_string(res.error());
                continue;
            }
            next_ = at;
            if (res->status == 200) return std::move(res->body);
            election = is_election_error(res->body);
            return Error{describe_error_body(res->body) + " [" + settings_.endpoints[at].url() +
                         " answered HTTP " + std::to_string(res->status) + "]"};
        }
        return Error{"cannot reach any etcd member (" + unreachable +
                     "): the registry is unavailable; this gateway keeps serving its peers"};
    }

    model::EtcdSettings settings_;
    std::vector<std::unique_ptr<httplib::Client>> clients_;
    std::size_t next_ = 0;
};

}  // namespace

std::unique_ptr<Transport> http_transport(const model::EtcdSettings& settings,
                                          HttpTimeouts timeouts) {
    // A member that closes the TLS connection mid-request (a refused client
    // certificate) must be an error value, not a SIGPIPE ending the process.
    std::signal(SIGPIPE, SIG_IGN);
    return std::make_unique<HttpTransport>(settings, timeouts);
}

Status http_stream(const model::EtcdSettings& settings, std::string_view path,
                   const std::string& body, std::chrono::milliseconds read,
                   const ChunkSink& on_chunk) {
    std::signal(SIGPIPE, SIG_IGN);  // as in http_transport
    std::string unreachable;
    for (const auto& e : settings.endpoints) {
        HttpTimeouts t;
        t.read = read;
        auto client = make_client(settings, e, t);
        bool stopped = false;
        httplib::Request req;
        req.method = "POST";
        req.path = std::string(path);
        req.body = body;
        req.set_header("Content-Type", "application/json");
        req.content_receiver = [&](const char* data, size_t len, uint64_t, uint64_t) {
            if (!on_chunk(std::string_view(data, len))) {
                stopped = true;
                return false;
            }
            return true;
        };
        httplib::Response res;
        httplib::Error err = httplib::Error::Success;
        const bool sent = client->send(req, res, err);
        if (stopped) return ok_status();
        if (sent && res.status == 200) return ok_status();  // the member ended the stream
        if (sent)
            return Error{describe_error_body(res.body) + " [" + e.url() + " answered HTTP " +
                         std::to_string(res.status) + "]"};
        unreachable += (unreachable.empty() ? "" : "; ") + e.url() + ": " + httplib::to_string(err);
    }
    return Error{"cannot reach any etcd member (" + unreachable + ")"};
}

}  // namespace vpngw::fleet
