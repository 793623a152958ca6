#pragma once

#include <string>
#include <string_view>

namespace vpngw::profile {

// A user-written value for a message: in double quotes, control characters
// and invisible format characters (U+202E, U+200D, ...) escaped by
// escape::visible so one diagnostic stays one line and reads as its bytes
// are, long values shortened.
std::string quoted(std::string_view text);

// The same without the quotes, for text that is not a value (parser messages).
std::string escape_controls(std::string_view text);

}  // namespace vpngw::profile
