/// `inject`: only originals are clustered; each of `perImage` views per original then joins its
/// original's cluster with the same pseudo-label, and the views of outliers are left out.
public struct InjectViews: ViewStrategy {
    public let perImage: Int
    public let angles: [Int]

    public init(perImage: Int, angles: [Int]) {
        self.perImage = perImage
        self.angles = angles
    }

    public var name: String { "inject" }

    public func clustered(epoch: Int, pool: ViewPool) -> [Int] { Array(0..<pool.originals) }

    public func training(epoch: Int, pool: ViewPool, clustered: [Int], labels: [Int]) -> [(index: Int, label: Int)] {
        var labelOf = [Int](repeating: -1, count: pool.originals)
        for (i, l) in zip(clustered, labels) where i < pool.originals { labelOf[i] = l }
        let originals = zip(clustered, labels).filter { $0.1 >= 0 }.map { (index: $0.0, label: $0.1) }
        let views = pool.views(perImage: perImage, angles: angles).compactMap { v -> (index: Int, label: Int)? in
            let l = labelOf[pool.origin[v]]
            return l >= 0 ? (index: v, label: l) : nil
        }
        return originals + views
    }
}
