/// `sequential`: a curriculum over the epochs; during each phase of `schedule` one view per
/// original, at that phase's angle (plus, when cumulative, the earlier phases' views), is clustered
/// and trained on with the originals, as in `simple`.
public struct SequentialViews: ViewStrategy {
    public let schedule: ViewSchedule
    public let epochs: Int
    public let cumulative: Bool

    public init(schedule: ViewSchedule, epochs: Int, cumulative: Bool) {
        self.schedule = schedule
        self.epochs = epochs
        self.cumulative = cumulative
    }

    public var name: String { "sequential \(schedule.description)" }

    public func angles(epoch: Int) -> [Int] { schedule.angles(epoch: epoch, of: epochs, cumulative: cumulative) }

    public func clustered(epoch: Int, pool: ViewPool) -> [Int] {
        Array(0..<pool.originals) + pool.views(at: angles(epoch: epoch))
    }
}
