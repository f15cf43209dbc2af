import Foundation

/// Progress for long work: a redrawn bar on a terminal, a plain line every few seconds otherwise
/// (logs and CI). Written to standard error so `--json` output on standard output stays clean.
public final class Progress {
    let total: Int
    let label: String
    let unit: String
    let start = Date()
    let isTerminal: Bool
    let quiet: Bool
    var lastPrint = Date.distantPast
    public private(set) var done = 0

    public init(total: Int, label: String, unit: String = "images", quiet: Bool = false) {
        self.total = max(total, 1)
        self.label = label
        self.unit = unit
        self.quiet = quiet
        self.isTerminal = isatty(STDERR_FILENO) != 0
    }

    public var rate: Double { Double(done) / max(Date().timeIntervalSince(start), 1e-9) }
    public var elapsed: TimeInterval { Date().timeIntervalSince(start) }

    /// Advances by `count` and redraws; `extra` is appended (e.g. "loss 1.234").
    public func advance(_ count: Int = 1, extra: String = "") {
        done += count
        guard !quiet else { return }
        let now = Date()
        let finished = done >= total
        if isTerminal {
            guard finished || now.timeIntervalSince(lastPrint) > 0.1 else { return }
            let width = 30
            let filled = Int(Double(width) * Double(min(done, total)) / Double(total))
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            let line = String(format: "\r%@ %@ %d/%d %@  %.1f %@/s %@", label, bar, done, total, unit, rate, unit, extra)
            FileHandle.standardError.write(Data((line + (finished ? "\n" : "")).utf8))
        } else {
            guard finished || now.timeIntervalSince(lastPrint) > 5 else { return }
            let line = String(format: "%@: %d/%d %@, %.1f %@/s %@\n", label, done, total, unit, rate, unit, extra)
            FileHandle.standardError.write(Data(line.utf8))
        }
        lastPrint = now
    }
}
