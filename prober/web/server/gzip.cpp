#include "prober/web/server/gzip.h"

#include <zlib.h>

#include <cctype>
#include <stdexcept>

namespace prober {

namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// Whether the parameters after a coding ("q=0.5") leave it acceptable: q=0 refuses it.
bool acceptable(std::string_view parameters) {
  while (!parameters.empty()) {
    const std::size_t semicolon = parameters.find(';');
    const std::string_view parameter = trim(parameters.substr(0, semicolon));
    if (parameter.size() >= 2 && (parameter[0] == 'q' || parameter[0] == 'Q') &&
        parameter[1] == '=') {
      const std::string_view value = parameter.substr(2);
      return value.find_first_not_of("0.") != std::string_view::npos;
    }
    if (semicolon == std::string_view::npos) {
      break;
    }
    parameters.remove_prefix(semicolon + 1);
  }
  return true;
}

}  // namespace

bool acceptsGzip(std::string_view acceptEncoding) {
  bool wildcard = false;
  while (!acceptEncoding.empty()) {
    const std::size_t comma = acceptEncoding.find(',');
    const std::string_view entry = acceptEncoding.substr(0, comma);
    const std::size_t semicolon = entry.find(';');
    const std::string_view coding = trim(entry.substr(0, semicolon));
    const std::string_view parameters =
        semicolon == std::string_view::npos ? std::string_view() : entry.substr(semicolon + 1);
    if (equalsIgnoringCase(coding, "gzip") || equalsIgnoringCase(coding, "x-gzip")) {
      return acceptable(parameters);  // named: its own q decides, whatever "*" says
    }
    if (coding == "*") {
      wildcard = acceptable(parameters);
    }
    if (comma == std::string_view::npos) {
      break;
    }
    acceptEncoding.remove_prefix(comma + 1);
  }
  return wildcard;
}

struct GzipStream::State {
  z_stream stream{};
};

GzipStream::GzipStream(int level) : state_(std::make_unique<State>()) {
  // 15 window bits, +16: a gzip header and trailer rather than zlib's.
  if (deflateInit2(&state_->stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("gzip: zlib could not start a stream");
  }
}

GzipStream::~GzipStream() {
  deflateEnd(&state_->stream);
}

void GzipStream::compress(std::string_view in, std::string& out, bool last) {
  z_stream& stream = state_->stream;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  stream.avail_in = static_cast<uInt>(in.size());
  const int flush = last ? Z_FINISH : Z_NO_FLUSH;
  // Bounded: each turn either fills the space it was given or ends the stream.
  for (int turn = 0; turn < 1'000'000; ++turn) {
    const std::size_t before = out.size();
    const std::size_t room = deflateBound(&stream, stream.avail_in) + 64;
    out.resize(before + room);
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + before);
    stream.avail_out = static_cast<uInt>(room);
    const int status = deflate(&stream, flush);
    out.resize(before + room - stream.avail_out);
    if (status == Z_STREAM_END || (status == Z_OK && stream.avail_in == 0 && !last) ||
        (status == Z_BUF_ERROR && stream.avail_in == 0 && !last)) {
      return;
    }
    if (status != Z_OK && status != Z_BUF_ERROR) {
      throw std::runtime_error("gzip: zlib failed midway");
    }
  }
  throw std::runtime_error("gzip: zlib made no progress");
}

}  // namespace prober
