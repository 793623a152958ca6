#include <string>

#include "qr/qr.hpp"

namespace vpngw::qr {

SecretText render_svg(const QrMatrix& m, int scale) {
    const std::string n = std::to_string(m.size() + 2 * kQuietZone);
    const std::string px = std::to_string((m.size() + 2 * kQuietZone) * scale);
    SecretText out;
    out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + n + " " + n +
               "\" width=\"" + px + "\" height=\"" + px + "\" shape-rendering=\"crispEdges\">\n");
    out.append("<rect width=\"" + n + "\" height=\"" + n + "\" fill=\"#ffffff\"/>\n");
    out.append("<path fill=\"#000000\" d=\"");
    // One rectangle per horizontal run of dark modules keeps the path short.
    for (int y = 0; y < m.size(); ++y) {
        for (int x = 0; x < m.size();) {
            if (!m.dark(x, y)) {
                ++x;
                continue;
            }
            int run = 0;
            while (x + run < m.size() && m.dark(x + run, y)) ++run;
            std::string rect = "M" + std::to_string(x + kQuietZone) + " " +
                               std::to_string(y + kQuietZone) + "h" + std::to_string(run) + "v1h-" +
                               std::to_string(run) + "z";
            out.append(rect);
            wipe(rect);
            x += run;
        }
    }
    out.append("\"/>\n</svg>\n");
    return out;
}

}  // namespace vpngw::qr
