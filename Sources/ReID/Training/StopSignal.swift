import Foundation

/// SIGTERM / SIGINT ask a run to stop after the current step instead of dying mid-write; the
/// last checkpoint (written atomically at each epoch's end) stays valid either way.
public enum StopSignal {
    nonisolated(unsafe) static var requested: sig_atomic_t = 0

    public static func install() {
        signal(SIGTERM) { _ in StopSignal.requested = 1 }
        signal(SIGINT) { _ in StopSignal.requested = 1 }
    }

    public static var isRequested: Bool { requested != 0 }
}
