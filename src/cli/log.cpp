#include "cli/log.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <mutex>

namespace vpngw::cli::log {

namespace {

using service_manager::Priority;

bool g_journal = false;  // stderr is the journal: entries, not text lines

Priority priority_of(spdlog::level::level_enum level) {
    switch (level) {
        case spdlog::level::trace:
        case spdlog::level::debug:
            return Priority::debug;
        case spdlog::level::info:
            return Priority::info;
        case spdlog::level::warn:
            return Priority::warning;
        default:
            return Priority::error;
    }
}

// Each log line as one journal entry with its PRIORITY=.
class JournalSink final : public spdlog::sinks::base_sink<std::mutex> {
  protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        service_manager::journal_send(priority_of(msg.level),
                                      std::string_view(msg.payload.data(), msg.payload.size()), {});
    }
    void flush_() override {}
};

}  // namespace

void setup(int verbosity) {
    g_journal = service_manager::stderr_is_journal();
    std::shared_ptr<spdlog::logger> logger;
    if (g_journal)
        logger = std::make_shared<spdlog::logger>("vpngw", std::make_shared<JournalSink>());
    else
        logger = spdlog::stderr_color_mt("vpngw");
    logger->set_pattern("%^%l%$: %v");
    logger->set_level(verbosity >= 2   ? spdlog::level::debug
                      : verbosity == 1 ? spdlog::level::info
                                       : spdlog::level::warn);
    spdlog::set_default_logger(logger);
}

// The message is an argument, never the format: braces in it stay braces.
void info(const std::string& message) {
    spdlog::info("{}", message);
}

void warn(const std::string& message) {
    spdlog::warn("{}", message);
}

void error(const std::string& message) {
    spdlog::error("{}", message);
}

void event(const std::string& message, const service_manager::JournalFields& fields, bool warning) {
    service_manager::journal_send(warning ? Priority::warning : Priority::info, message, fields);
    if (g_journal) return;  // stored once, with its fields
    if (warning)
        warn(message);
    else
        info(message);
}

void record(const std::string& message, const service_manager::JournalFields& fields) {
    service_manager::journal_send(Priority::info, message, fields);
}

}  // namespace vpngw::cli::log
