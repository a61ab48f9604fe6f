#include "tests/browser/png_check.h"

#include <Poco/Checksum.h>
#include <Poco/InflatingStream.h>
#include <Poco/MemoryStream.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

namespace quorumclear::testing {

namespace {

constexpr std::array<std::uint8_t, 8> kSignature = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
// The PNG specification caps chunk lengths (and dimensions) at 2^31 - 1.
constexpr std::uint32_t kMaxChunkValue = 0x7fffffffU;

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}

bool is_type(const std::uint8_t* type, const char (&name)[5]) {
  return std::equal(type, type + 4, name, [](std::uint8_t a, char b) { return a == static_cast<std::uint8_t>(b); });
}

struct Header {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::size_t channels = 0;
};

std::optional<Header> parse_header(const std::uint8_t* data, std::uint32_t length) {
  if (length != 13) return std::nullopt;
  Header h;
  h.width = be32(data);
  h.height = be32(data + 4);
  const std::uint8_t depth = data[8], color = data[9], compression = data[10], filter = data[11],
                     interlace = data[12];
  if (h.width == 0 || h.height == 0 || h.width > kMaxChunkValue || h.height > kMaxChunkValue) return std::nullopt;
  if (std::uint64_t{h.width} * h.height > kPngMaxPixels) return std::nullopt;
  if (depth != 8 || compression != 0 || filter != 0 || interlace != 0) return std::nullopt;
  if (color == 2) {
    h.channels = 3;
  } else if (color == 6) {
    h.channels = 4;
  } else {
    return std::nullopt;
  }
  return h;
}

std::uint8_t paeth(std::uint8_t a, std::uint8_t b, std::uint8_t c) {
  const int p = int{a} + int{b} - int{c};
  const int pa = std::abs(p - int{a}), pb = std::abs(p - int{b}), pc = std::abs(p - int{c});
  if (pa <= pb && pa <= pc) return a;
  if (pb <= pc) return b;
  return c;
}

// Undoes each scanline's filter in place: `raw` is height rows of one
// filter byte followed by `stride` bytes. The previous row is already
// unfiltered when a row reads it, as the filters require.
bool unfilter(std::vector<std::uint8_t>& raw, std::size_t height, std::size_t stride, std::size_t bpp) {
  for (std::size_t row = 0; row < height; ++row) {
    const std::size_t start = row * (stride + 1);
    const std::uint8_t filter = raw[start];
    std::uint8_t* cur = raw.data() + start + 1;
    const std::uint8_t* prev = row == 0 ? nullptr : cur - (stride + 1);
    for (std::size_t i = 0; i < stride; ++i) {
      const std::uint8_t a = i >= bpp ? cur[i - bpp] : 0;
      const std::uint8_t b = prev != nullptr ? prev[i] : 0;
      const std::uint8_t c = (prev != nullptr && i >= bpp) ? prev[i - bpp] : 0;
      std::uint8_t predictor = 0;
      switch (filter) {
        case 0: break;
        case 1: predictor = a; break;
        case 2: predictor = b; break;
        case 3: predictor = static_cast<std::uint8_t>((int{a} + int{b}) / 2); break;
        case 4: predictor = paeth(a, b, c); break;
        default: return false;
      }
      cur[i] = static_cast<std::uint8_t>(cur[i] + predictor);
    }
  }
  return true;
}

std::optional<PngSummary> summarize(std::span<const std::uint8_t> png) {
  if (png.size() < kSignature.size() || !std::equal(kSignature.begin(), kSignature.end(), png.begin())) {
    return std::nullopt;
  }
  std::optional<Header> header;
  std::string idat;
  bool ended = false;
  std::size_t pos = kSignature.size();
  while (pos < png.size() && !ended) {
    // Length, type, data, CRC: 12 bytes around the data.
    if (png.size() - pos < 12) return std::nullopt;
    const std::uint8_t* chunk = png.data() + pos;
    const std::uint32_t length = be32(chunk);
    if (length > kMaxChunkValue || length > png.size() - pos - 12) return std::nullopt;
    const std::uint8_t* type = chunk + 4;
    const std::uint8_t* data = chunk + 8;
    Poco::Checksum crc(Poco::Checksum::TYPE_CRC32);
    crc.update(reinterpret_cast<const char*>(type), length + 4);
    if (crc.checksum() != be32(data + length)) return std::nullopt;
    if (!header) {
      if (!is_type(type, "IHDR")) return std::nullopt;
      header = parse_header(data, length);
      if (!header) return std::nullopt;
    } else if (is_type(type, "IHDR")) {
      return std::nullopt;
    } else if (is_type(type, "IDAT")) {
      idat.append(reinterpret_cast<const char*>(data), length);
    } else if (is_type(type, "IEND")) {
      ended = true;
    }
    // Ancillary chunks (and PLTE, a mere suggestion for RGB) do not change
    // the pixels.
    pos += std::size_t{length} + 12;
  }
  if (!header || !ended || idat.empty()) return std::nullopt;

  const std::size_t width = header->width, height = header->height, bpp = header->channels;
  const std::size_t stride = width * bpp;
  const std::size_t raw_size = height * (stride + 1);
  Poco::MemoryInputStream compressed(idat.data(), static_cast<std::streamsize>(idat.size()));
  Poco::InflatingInputStream inflater(compressed, Poco::InflatingStreamBuf::STREAM_ZLIB);
  // One byte more than the image needs, to refuse a stream that holds more.
  std::vector<std::uint8_t> raw(raw_size + 1);
  inflater.read(reinterpret_cast<char*>(raw.data()), static_cast<std::streamsize>(raw.size()));
  if (inflater.gcount() != static_cast<std::streamsize>(raw_size)) return std::nullopt;
  if (!unfilter(raw, height, stride, bpp)) return std::nullopt;

  // Sorting the colours gives both the exact distinct count and the mode
  // without a hash table; the pixel cap bounds the cost.
  std::vector<std::uint32_t> colors;
  colors.reserve(width * height);
  for (std::size_t row = 0; row < height; ++row) {
    const std::uint8_t* p = raw.data() + row * (stride + 1) + 1;
    for (std::size_t x = 0; x < width; ++x, p += bpp) {
      colors.push_back((std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | std::uint32_t{p[2]});
    }
  }
  std::sort(colors.begin(), colors.end());
  std::size_t distinct = 0, longest = 0;
  for (std::size_t i = 0; i < colors.size();) {
    std::size_t j = i + 1;
    while (j < colors.size() && colors[j] == colors[i]) ++j;
    ++distinct;
    longest = std::max(longest, j - i);
    i = j;
  }
  PngSummary summary;
  summary.width = header->width;
  summary.height = header->height;
  summary.distinct_colors = std::min(distinct, kPngColorCap);
  summary.non_background_fraction =
      static_cast<double>(colors.size() - longest) / static_cast<double>(colors.size());
  return summary;
}

}  // namespace

std::optional<PngSummary> summarize_png(std::span<const std::uint8_t> png) {
  try {
    return summarize(png);
  } catch (const std::exception&) {
    // Poco's inflater throws on corrupt deflate data.
    return std::nullopt;
  }
}

}  // namespace quorumclear::testing
