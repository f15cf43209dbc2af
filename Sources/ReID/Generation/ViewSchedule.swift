/// The sequential curriculum: which rotation is introduced in which part of training, written
/// `angle:start-end,…` with start and end in percent of the epochs
/// (`135:0-25,90:25-50,270:50-75,180:75-100`).
public struct ViewSchedule: Equatable, Sendable {
    public struct Phase: Equatable, Sendable {
        public var angle: Int
        public var start: Double
        public var end: Double
    }

    public let phases: [Phase]

    public init(phases: [Phase]) { self.phases = phases }

    public init(parsing text: String) throws {
        let hint = "write angle:start-end in percent of the epochs, comma-separated, e.g. 135:0-25,90:25-50,270:50-75,180:75-100"
        var phases: [Phase] = []
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            let parts = item.split(separator: ":", omittingEmptySubsequences: false)
            let range = parts.count == 2 ? parts[1].split(separator: "-", omittingEmptySubsequences: false) : []
            guard parts.count == 2, let angle = Int(parts[0]), range.count == 2,
                  let start = Double(range[0]), let end = Double(range[1]) else {
                throw ReIDError.invalidOption("schedule '\(text)': cannot read '\(item)'; \(hint)")
            }
            guard (0..<360).contains(angle) else {
                throw ReIDError.invalidOption("schedule '\(text)': angle \(angle) is not in 0…359")
            }
            guard start >= 0, end <= 100, start < end else {
                throw ReIDError.invalidOption("schedule '\(text)': '\(item)' needs 0 ≤ start < end ≤ 100")
            }
            phases.append(Phase(angle: angle, start: start, end: end))
        }
        guard !phases.isEmpty else { throw ReIDError.invalidOption("schedule '\(text)' is empty; \(hint)") }
        phases.sort { $0.start < $1.start }
        for (a, b) in zip(phases, phases.dropFirst()) where b.start < a.end {
            throw ReIDError.invalidOption("schedule '\(text)': phases \(ViewSchedule.describe(a)) and \(ViewSchedule.describe(b)) overlap")
        }
        self.phases = phases
    }

    /// Where `epoch` (0-based) of `epochs` starts, in percent.
    static func percent(_ epoch: Int, of epochs: Int) -> Double { Double(epoch) * 100 / Double(max(epochs, 1)) }

    /// The phase running at `epoch`, or nil in a gap.
    public func phase(epoch: Int, of epochs: Int) -> Phase? {
        let p = ViewSchedule.percent(epoch, of: epochs)
        return phases.first { $0.start <= p && p < $0.end }
    }

    /// Angles trained with at `epoch`: the current phase's, plus every earlier phase's when
    /// `cumulative` (each phase then adds one view per original).
    public func angles(epoch: Int, of epochs: Int, cumulative: Bool) -> [Int] {
        let p = ViewSchedule.percent(epoch, of: epochs)
        if cumulative { return phases.filter { $0.start <= p }.map(\.angle) }
        return phase(epoch: epoch, of: epochs).map { [$0.angle] } ?? []
    }

    public var description: String { phases.map(ViewSchedule.describe).joined(separator: ",") }

    static func describe(_ p: Phase) -> String { "\(p.angle):\(format(p.start))-\(format(p.end))" }

    private static func format(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
}
