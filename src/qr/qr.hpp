#pragma once

// QR codes for client configs, which the WireGuard mobile apps import with
// "scan from QR code". The payload holds a private key, so the matrix and
// every rendering wipe themselves; libqrencode's own internal buffers are not
// in our control (it frees them unwiped).

#include <string>
#include <string_view>

#include "util/result.hpp"
#include "util/secret_text.hpp"

namespace vpngw::qr {

// Light modules around the symbol that the QR standard requires for scanning.
inline constexpr int kQuietZone = 4;

// The module grid of one QR symbol, without the quiet zone.
class QrMatrix {
  public:
    QrMatrix(int size, std::string cells) : size_(size), cells_(std::move(cells)) {}
    ~QrMatrix() { wipe(cells_); }
    QrMatrix(QrMatrix&&) = default;
    QrMatrix& operator=(QrMatrix&&) = default;
    QrMatrix(const QrMatrix&) = delete;
    QrMatrix& operator=(const QrMatrix&) = delete;

    int size() const { return size_; }
    bool dark(int x, int y) const { return cells_[static_cast<std::size_t>(y) * size_ + x] != 0; }
    // Like dark() but with the quiet zone around it: coordinates may run from
    // -kQuietZone to size()+kQuietZone-1 (or beyond, all light).
    bool dark_padded(int x, int y) const {
        return x >= 0 && y >= 0 && x < size_ && y < size_ && dark(x, y);
    }

  private:
    int size_ = 0;
    std::string cells_;  // size*size bytes, row-major, 1 = dark
};

// Encodes bytes in 8-bit mode with error-correction level M, the smallest
// version that fits. Errors when the data is too large for a QR code.
Result<QrMatrix> encode(std::string_view data);

enum class TerminalStyle {
    ansi,   // explicit black-on-white colours: scannable on dark and light themes
    plain,  // no escapes: dark modules are glyphs, needs a light background
};

// Two module rows per text line using ▀ ▄ █ and space (dark = ink), with the
// quiet zone, one '\n' after every line.
SecretText render_terminal(const QrMatrix& m, TerminalStyle style);

// A 1-bit greyscale PNG, `scale` pixels per module (4..64), quiet zone included.
Result<SecretText> render_png(const QrMatrix& m, int scale = 8);

// An SVG with a white background and one black path of unit squares; the
// viewBox is (size + 2*kQuietZone) modules wide, drawn at `scale` px per module.
SecretText render_svg(const QrMatrix& m, int scale = 8);

}  // namespace vpngw::qr
