/// The batches of one epoch: one sampler pass, or with a fixed number of iterations as many
/// fresh passes as it takes (the reference trainers' `IterLoader` starts a new pass, with new
/// anchors and order, whenever one runs out; replaying the first pass would show the same few
/// hundred images over and over).
public enum EpochBatches {
    /// `iterations` ≤ 0: the first pass as it is. Otherwise exactly `iterations` batches taken
    /// from passes 0, 1, 2… in order; empty when the first pass is empty.
    public static func assemble(iterations: Int, pass: (Int) throws -> [[Int]]) throws -> [[Int]] {
        var batches = try pass(0)
        guard iterations > 0, !batches.isEmpty else { return batches }
        var next = 1
        while batches.count < iterations {
            let more = try pass(next)
            if more.isEmpty { break }
            batches += more
            next += 1
        }
        return Array(batches.prefix(iterations))
    }
}
