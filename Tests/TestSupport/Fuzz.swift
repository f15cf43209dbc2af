import Foundation

/// A deterministic pseudo-random generator for fuzz tests (SplitMix64): the same seed gives
/// the same cases on every machine, so a failing case can be replayed from its seed and index.
public struct FuzzRandom: RandomNumberGenerator {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `range` (which must not be empty).
    public mutating func int(_ range: Range<Int>) -> Int { Int.random(in: range, using: &self) }
    public mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }

    public mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }
    public mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in byte() } }

    /// One element of a non-empty collection.
    public mutating func pick<C: Collection>(_ items: C) -> C.Element {
        items[items.index(items.startIndex, offsetBy: int(0..<items.count))]
    }

    /// `data` with 1...`maxEdits` random byte-level edits: bit flips, byte overwrites with
    /// boundary values, truncation, inserted and deleted runs, duplicated chunks.
    public mutating func mutate(_ data: [UInt8], maxEdits: Int = 4) -> [UInt8] {
        var out = data
        for _ in 0..<int(1...max(1, maxEdits)) {
            switch int(0..<6) {
            case 0 where !out.isEmpty: // bit flip
                let i = int(0..<out.count)
                out[i] ^= 1 << UInt8(int(0..<8))
            case 1 where !out.isEmpty: // interesting byte
                out[int(0..<out.count)] = pick([0x00, 0x01, 0x7F, 0x80, 0xFF, 0x22, 0x5B, 0x7B, 0x2D, 0x39])
            case 2 where !out.isEmpty: // truncate
                out.removeLast(int(1...out.count))
            case 3: // insert random bytes
                out.insert(contentsOf: bytes(int(1...16)), at: int(0...out.count))
            case 4 where out.count > 1: // delete a run
                let start = int(0..<out.count)
                out.removeSubrange(start..<min(out.count, start + int(1...16)))
            case 5 where !out.isEmpty: // duplicate a chunk
                let start = int(0..<out.count)
                let chunk = out[start..<min(out.count, start + int(1...32))]
                out.insert(contentsOf: chunk, at: int(0...out.count))
            default:
                out.append(byte())
            }
        }
        return out
    }
}

/// Counting and reporting for fuzz tests.
///
/// `REID_FUZZ_SCALE` (integer ≥ 1, default 1) multiplies the number of cases. When
/// `REID_FUZZ_REPORT_DIR` is set, `write` puts `<dir>/<fuzzer>.json` there:
/// `{"fuzzer", "cases", "crashes": 0, "errors", "accepted", "seconds", "seed"}`. A crash kills the
/// process before the file is written, so a missing file means a crash.
public enum FuzzReport {
    public static var scale: Int {
        let text = ProcessInfo.processInfo.environment["REID_FUZZ_SCALE"] ?? ""
        return max(1, Int(text) ?? 1)
    }

    public static var directory: String? {
        let dir = ProcessInfo.processInfo.environment["REID_FUZZ_REPORT_DIR"] ?? ""
        return dir.isEmpty ? nil : dir
    }

    public static func write(fuzzer: String, cases: Int, errors: Int, accepted: Int, seconds: Double, seed: UInt64) throws {
        guard let directory else { return }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let report: [String: Any] = ["fuzzer": fuzzer, "cases": cases, "crashes": 0, "errors": errors,
                                     "accepted": accepted, "seconds": seconds, "seed": seed]
        let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
        try data.write(to: URL(fileURLWithPath: directory).appendingPathComponent("\(fuzzer).json"))
    }
}

/// Runs cases and tallies their outcomes: each case either returns (accepted) or throws an
/// error whose description must not be empty. A trap in a case ends the whole process.
public struct FuzzRun {
    public let fuzzer: String
    public let seed: UInt64
    public private(set) var cases = 0
    public private(set) var errors = 0
    public private(set) var accepted = 0
    /// Descriptions of the cases that threw an empty message (to report as failures).
    public private(set) var emptyMessages: [String] = []
    private let started = Date()

    public init(fuzzer: String, seed: UInt64) {
        self.fuzzer = fuzzer
        self.seed = seed
    }

    /// Runs one case; `label` says which case it was in failure messages.
    public mutating func run(_ label: @autoclosure () -> String, _ body: () throws -> Void) {
        cases += 1
        do {
            try body()
            accepted += 1
        } catch {
            errors += 1
            if "\(error)".trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { emptyMessages.append(label()) }
        }
    }

    public var seconds: Double { Date().timeIntervalSince(started) }

    /// Writes the report file when `REID_FUZZ_REPORT_DIR` is set.
    public func finish() throws {
        try FuzzReport.write(fuzzer: fuzzer, cases: cases, errors: errors, accepted: accepted, seconds: seconds, seed: seed)
    }
}
