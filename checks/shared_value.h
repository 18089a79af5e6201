#pragma once
// An immutable value many owners share: a copy is a pointer, equality compares the values, and
// an owner that never set one reads the default without holding any memory.
#include <memory>
#include <utility>

namespace prober {

template <class T>
class SharedValue {
 public:
  SharedValue() = default;
  explicit SharedValue(T value) : value_(std::make_shared<const T>(std::move(value))) {}

  const T& operator*() const { return value_ ? *value_ : fallback(); }
  const T* operator->() const { return &**this; }
  bool operator==(const SharedValue& other) const {
    return value_ == other.value_ || **this == *other;
  }

 private:
  static const T& fallback() {
    static const T defaults{};
    return defaults;
  }
  std::shared_ptr<const T> value_;  // null: the default
};

// Hands out one SharedValue for a value equal to the one before it, and none for the default:
// the checks under one [defaults] table set theirs alike, one after another, and most set none.
template <class T>
class RepeatSharer {
 public:
  SharedValue<T> share(T value) {
    if (value == T{}) {
      return {};
    }
    if (*last_ != value) {
      last_ = SharedValue<T>(std::move(value));
    }
    return last_;
  }

 private:
  SharedValue<T> last_;
};

}  // namespace prober
