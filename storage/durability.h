#pragma once
// How a store's commits reach the disk.

namespace prober {

// Durable: synced at every commit, so a power loss keeps every committed transaction (alert
// state and the outbox: a transition or a queued page must not be lost). Fast: synced at
// checkpoints only; a power loss may drop the last commits, a killed process none (the
// history, which may lose a second of runs).
enum class Durability { Durable, Fast };

}  // namespace prober
