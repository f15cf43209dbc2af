/// Density-based clustering (Ester et al. 1996) on precomputed sparse neighbourhoods, labelled the
/// way scikit-learn's DBSCAN labels them: points are visited in index order, each unvisited core
/// point starts a cluster that grows through core points, a border point joins the first cluster
/// that reaches it, and points in no cluster are outliers (−1).
public struct DBSCAN: Sendable {
    public var eps: Float
    /// Neighbours (the point itself included) a core point needs.
    public var minSamples: Int

    public init(eps: Float, minSamples: Int) {
        self.eps = eps
        self.minSamples = minSamples
    }

    /// `neighbourhoods[i]` lists (j, distance) pairs; pairs not listed are farther than eps.
    public func labels(_ neighbourhoods: [[(index: Int32, distance: Float)]]) -> [Int] {
        let n = neighbourhoods.count
        let within: [[Int]] = neighbourhoods.enumerated().map { i, row in
            var list = row.filter { $0.distance <= eps }.map { Int($0.index) }
            if !list.contains(i) { list.append(i) }
            return list.sorted()
        }
        let core = within.map { $0.count >= minSamples }
        var labels = [Int](repeating: -1, count: n)
        var next = 0
        var stack: [Int] = []
        for start in 0..<n where labels[start] == -1 && core[start] {
            var i = start
            while true {
                if labels[i] == -1 {
                    labels[i] = next
                    if core[i] {
                        for v in within[i] where labels[v] == -1 { stack.append(v) }
                    }
                }
                guard let top = stack.popLast() else { break }
                i = top
            }
            next += 1
        }
        return labels
    }
}
