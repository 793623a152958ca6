#include "cli/app.hpp"

int main(int argc, char** argv) { return vpngw::cli::run(argc, argv); }
