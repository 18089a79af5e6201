#pragma once
// gzip for answers sent a piece at a time (a scrape of /metrics): each piece is compressed as
// it comes, so the compressed body is never held whole either. zlib does the work.
#include <memory>
#include <string>
#include <string_view>

namespace prober {

// Whether an Accept-Encoding header takes gzip ("gzip", "gzip;q=0.5", "*"; not "gzip;q=0").
bool acceptsGzip(std::string_view acceptEncoding);

class GzipStream {
 public:
  // Level 1 (fastest): the text of /metrics repeats itself so much that it still shrinks
  // about twentyfold, at a fraction of the CPU the default level takes.
  explicit GzipStream(int level = 1);
  ~GzipStream();
  GzipStream(const GzipStream&) = delete;
  GzipStream& operator=(const GzipStream&) = delete;

  // Appends to `out` what `in` compresses to so far; `last` ends the stream (the gzip trailer).
  void compress(std::string_view in, std::string& out, bool last);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace prober
