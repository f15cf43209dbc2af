import Foundation

/// Seconds spent in each named phase of a computation, for benchmarks' `phase_seconds`.
struct PhaseClock {
    private(set) var seconds: [String: Double] = [:]
    private var last = Date()

    /// Ends the current phase under `name` and starts the next.
    mutating func lap(_ name: String) {
        let now = Date()
        seconds[name] = now.timeIntervalSince(last)
        last = now
    }
}
