#pragma once
// What the node store throws. The node tells them apart: StoreUnavailable
// is transient (answer 503, retry later, nothing was committed that the
// store does not know about), EpochAlreadyApplied means the epoch is in the
// database already (a replay or catch-up overlap, not a fault), and every
// other StoreError is a bug or a database that does not belong to this
// node: stop and say so.

#include <stdexcept>

namespace quorumclear::store {

/// Any failure of the node store. The message names the operation and what
/// was wrong; it never contains the connection URL (it may hold a password).
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The database cannot be reached, the connection broke, or a statement
/// ran past its timeout. The operation did not take effect, except that a
/// commit whose answer was lost may have (in doubt): re-read with
/// load_state() after reconnecting. The next call reconnects.
class StoreUnavailable : public StoreError {
 public:
  using StoreError::StoreError;
};

/// apply_epoch for an epoch the database already holds. Nothing changed.
class EpochAlreadyApplied : public StoreError {
 public:
  using StoreError::StoreError;
};

/// apply_epoch for an epoch past the next one (last applied + 1): a caller
/// bug, since epochs are applied in order. Nothing changed.
class EpochOutOfOrder : public StoreError {
 public:
  using StoreError::StoreError;
};

/// init_network on a database written for another network, node or
/// genesis. The message names what differs.
class NetworkMismatch : public StoreError {
 public:
  using StoreError::StoreError;
};

}  // namespace quorumclear::store
