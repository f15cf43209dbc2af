/// k-reciprocal neighbour sets from a table of each item's nearest neighbours (itself first).
///
/// R(i, k) holds the j among i's k+1 nearest such that i is among j's k+1 nearest. The expanded
/// set adds R(j, round(k/2)) for each j in R(i, k) whose half-size set shares more than 2/3 of
/// its members with R(i, k) (Zhong et al., CVPR 2017).
struct KReciprocalNeighbors {
    /// rank[i * width + r] is i's r-th nearest item; width ≥ k1 + 1.
    let rank: [Int32]
    let width: Int

    @inline(__always)
    func neighbours(_ i: Int, _ count: Int) -> ArraySlice<Int32> {
        rank[(i * width)..<(i * width + count)]
    }

    /// R(i, k), in the order of i's neighbour list. When the table holds fewer than k + 1
    /// neighbours (the training-time Jaccard searches exactly k1), all of them are used.
    func reciprocal(_ i: Int, k: Int) -> [Int32] {
        let count = min(k + 1, width)
        return neighbours(i, count).filter { j in neighbours(Int(j), count).contains(Int32(i)) }
    }

    /// The expanded set, sorted ascending, without duplicates.
    func expanded(_ i: Int, k1: Int) -> [Int32] {
        let base = reciprocal(i, k: k1)
        let half = Int((Double(k1) / 2).rounded(.toNearestOrEven))
        var members = Set(base)
        let baseSet = members
        for c in base {
            let candidate = reciprocal(Int(c), k: half)
            let shared = candidate.reduce(0) { $0 + (baseSet.contains($1) ? 1 : 0) }
            if Double(shared) > 2.0 / 3.0 * Double(candidate.count) { members.formUnion(candidate) }
        }
        return members.sorted()
    }
}
