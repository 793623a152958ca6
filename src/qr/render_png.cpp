#include <png.h>
#include <sodium.h>

#include <csetjmp>
#include <cstring>
#include <vector>

#include "qr/qr.hpp"

namespace vpngw::qr {

namespace {

struct PngError {
    char message[256] = {};
};

void on_error(png_structp png, png_const_charp msg) {
    auto* err = static_cast<PngError*>(png_get_error_ptr(png));
    std::strncpy(err->message, msg ? msg : "unknown libpng error", sizeof err->message - 1);
    png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}

void on_write(png_structp png, png_bytep data, png_size_t len) {
    static_cast<SecretText*>(png_get_io_ptr(png))
        ->append(std::string_view(reinterpret_cast<const char*>(data), len));
}

void on_flush(png_structp) {}

// libpng reports errors by longjmp, which skips C++ destructors: everything
// non-trivial is owned by the caller, and this frame holds only plain pointers.
bool write_png(png_bytepp rows, png_uint_32 side, SecretText* out, PngError* err) {
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, err, on_error, on_warning);
    if (!png) return false;
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, nullptr);
        return false;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return false;
    }
    png_set_write_fn(png, out, on_write, on_flush);
    png_set_IHDR(png, info, side, side, 1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_rows(png, info, rows);
    png_write_png(png, info, PNG_TRANSFORM_IDENTITY, nullptr);
    png_destroy_write_struct(&png, &info);
    return true;
}

}  // namespace

Result<SecretText> render_png(const QrMatrix& m, int scale) {
    if (scale < 4 || scale > 64)
        return Error{"PNG scale must be 4..64 pixels per module, not " + std::to_string(scale)};
    const int modules = m.size() + 2 * kQuietZone;
    const std::size_t side = static_cast<std::size_t>(modules) * scale;
    const std::size_t row_bytes = (side + 7) / 8;

    // 1-bit grey: a set bit is white. Start all white, then clear dark pixels.
    std::vector<png_byte> image(row_bytes * side, 0xff);
    for (std::size_t py = 0; py < side; ++py) {
        for (std::size_t px = 0; px < side; ++px) {
            int mx = static_cast<int>(px / scale) - kQuietZone;
            int my = static_cast<int>(py / scale) - kQuietZone;
            if (m.dark_padded(mx, my))
                image[py * row_bytes + px / 8] &= static_cast<png_byte>(~(0x80u >> (px % 8)));
        }
    }
    std::vector<png_bytep> rows(side);
    for (std::size_t y = 0; y < side; ++y) rows[y] = image.data() + y * row_bytes;

    SecretText out;
    PngError err;
    bool ok = write_png(rows.data(), static_cast<png_uint_32>(side), &out, &err);
    sodium_memzero(image.data(), image.size());
    if (!ok)
        return Error{std::string("PNG encoding failed: ") +
                     (err.message[0] ? err.message : "out of memory")};
    return out;
}

}  // namespace vpngw::qr
