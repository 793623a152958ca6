#include "service_manager/notify.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>

namespace vpngw::service_manager {
namespace {

// A datagram socket standing in for systemd's notification socket, with
// $NOTIFY_SOCKET pointing at it for the test's duration.
class FakeNotifySocket {
  public:
    FakeNotifySocket() {
        dir_ =
            std::filesystem::temp_directory_path() / ("vpngw-notify-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        path_ = (dir_ / "notify").string();
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        path_.copy(addr.sun_path, sizeof addr.sun_path - 1);
        ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        timeval tv{.tv_sec = 5, .tv_usec = 0};  // a missing message fails, never hangs
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setenv("NOTIFY_SOCKET", path_.c_str(), 1);
    }
    ~FakeNotifySocket() {
        ::unsetenv("NOTIFY_SOCKET");
        ::close(fd_);
        std::filesystem::remove_all(dir_);
    }
    FakeNotifySocket(const FakeNotifySocket&) = delete;
    FakeNotifySocket& operator=(const FakeNotifySocket&) = delete;

    // The next message's text; closes any file descriptor it carried (what
    // systemd does with sd_notify_barrier's, which releases the sender).
    std::string receive() {
        char buf[4096];
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
        iovec iov{buf, sizeof buf};
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        const ssize_t n = ::recvmsg(fd_, &msg, MSG_CMSG_CLOEXEC);
        if (n < 0) return "<nothing received>";
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
            const auto count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (std::size_t i = 0; i < count; ++i) {
                int fd = -1;
                std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
                ::close(fd);
            }
        }
        return std::string(buf, static_cast<std::size_t>(n));
    }

  private:
    std::filesystem::path dir_;
    std::string path_;
    int fd_ = -1;
};

TEST(Notify, StatusReachesTheSocket) {
    FakeNotifySocket systemd;
    status("up: applying /etc/vpngw/office.toml");
    EXPECT_EQ(systemd.receive(), "STATUS=up: applying /etc/vpngw/office.toml");
}

TEST(Notify, ReadyCarriesTheLastStatusAndWaitsForSystemd) {
    FakeNotifySocket systemd;
    // ready() blocks until the barrier's descriptor is closed: read it from
    // another thread, as systemd would.
    std::string first, second;
    std::thread reader([&] {
        first = systemd.receive();
        second = systemd.receive();
    });
    ready("up: 3 change(s) applied");
    reader.join();
    EXPECT_EQ(first, "READY=1\nSTATUS=up: 3 change(s) applied");
    EXPECT_EQ(second, "BARRIER=1");
}

TEST(Notify, WatchdogIntervalIsHalfOfWatchdogUsec) {
    ::setenv("WATCHDOG_USEC", "30000000", 1);
    ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
    auto interval = watchdog_interval();
    ASSERT_TRUE(interval);
    EXPECT_EQ(interval->count(), 15'000'000);
    // Meant for another process (the variable was inherited): not ours.
    ::setenv("WATCHDOG_PID", "1", 1);
    EXPECT_FALSE(watchdog_interval());
    ::unsetenv("WATCHDOG_USEC");
    ::unsetenv("WATCHDOG_PID");
    EXPECT_FALSE(watchdog_interval());
}

TEST(Notify, WatchdogIsLengthenedOnlyWhenTooShort) {
    FakeNotifySocket systemd;
    ::setenv("WATCHDOG_USEC", "30000000", 1);
    ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
    watchdog_at_least(std::chrono::seconds(10));  // 30 s is enough: nothing sent
    watchdog_at_least(std::chrono::seconds(130));
    watchdog_ping();
    EXPECT_EQ(systemd.receive(), "WATCHDOG_USEC=130000000");
    EXPECT_EQ(systemd.receive(), "WATCHDOG=1");
    ::unsetenv("WATCHDOG_USEC");
    ::unsetenv("WATCHDOG_PID");
}

TEST(Notify, NothingHappensOutsideSystemd) {
    ::unsetenv("NOTIFY_SOCKET");
    status("ignored");
    ready("ignored");  // must not wait for a barrier nobody answers
    watchdog_ping();
    EXPECT_FALSE(watchdog_interval());
}

}  // namespace
}  // namespace vpngw::service_manager
