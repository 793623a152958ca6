#pragma once

// The names the profile tests use unqualified, in one place: a test says
// `using namespace test::names;` instead of repeating the same
// using-declarations.

#include <gmock/gmock.h>

#include "support/profile_text.hpp"

namespace vpngw::profile::test::names {

using test::base_profile;
using test::errors_of;
using test::warnings_of;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

}  // namespace vpngw::profile::test::names
