#include <qrencode.h>
#include <sodium.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "qr/qr.hpp"

namespace vpngw::qr {

Result<QrMatrix> encode(std::string_view data) {
    if (data.empty()) return Error{"nothing to encode in a QR code"};
    if (data.size() > INT_MAX) return Error{"data too large for a QR code"};
    errno = 0;
    QRcode* code =
        QRcode_encodeData(static_cast<int>(data.size()),
                          reinterpret_cast<const unsigned char*>(data.data()), 0, QR_ECLEVEL_M);
    if (!code) {
        if (errno == ERANGE || errno == EINVAL)
            return Error{"data too large for a QR code (" + std::to_string(data.size()) +
                         " bytes; level M holds at most 2331)"};
        return Error{std::string("QR encoding failed: ") + std::strerror(errno)};
    }
    const int size = code->width;
    std::string cells(static_cast<std::size_t>(size) * size, '\0');
    // libqrencode: bit 0 of each byte is the module colour, the rest is metadata.
    for (std::size_t i = 0; i < cells.size(); ++i) cells[i] = code->data[i] & 1;
    sodium_memzero(code->data, cells.size());
    QRcode_free(code);
    return QrMatrix(size, std::move(cells));
}

}  // namespace vpngw::qr
