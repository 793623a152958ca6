#include "cli/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace vpngw::cli::log {

void setup(int verbosity) {
    auto logger = spdlog::stderr_color_mt("vpngw");
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

}  // namespace vpngw::cli::log
