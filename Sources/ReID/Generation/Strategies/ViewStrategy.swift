/// How a PPLR epoch uses the view pool: which images are clustered, and which images are
/// trained on with which pseudo-label. One conformer per method of using generated views.
public protocol ViewStrategy: Sendable {
    /// Short name for logs and reports.
    var name: String { get }
    /// Pool indices whose features are clustered at `epoch` (originals first).
    func clustered(epoch: Int, pool: ViewPool) -> [Int]
    /// Pool indices trained on at `epoch` and their pseudo-labels, given the labels DBSCAN gave
    /// the clustered indices (−1: outlier).
    func training(epoch: Int, pool: ViewPool, clustered: [Int], labels: [Int]) -> [(index: Int, label: Int)]
}

extension ViewStrategy {
    /// Default: every clustered image that is not an outlier, with its own label.
    public func training(epoch: Int, pool: ViewPool, clustered: [Int], labels: [Int]) -> [(index: Int, label: Int)] {
        zip(clustered, labels).filter { $0.1 >= 0 }.map { (index: $0.0, label: $0.1) }
    }
}

/// No views: PPLR as published (also mesh-combine without a schedule).
public struct OriginalsOnly: ViewStrategy {
    public init() {}
    public var name: String { "originals" }
    public func clustered(epoch: Int, pool: ViewPool) -> [Int] { Array(0..<pool.originals) }
}
