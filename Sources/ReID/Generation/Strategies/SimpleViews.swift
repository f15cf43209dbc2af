/// `simple`: the originals and `perImage` views of each go into clustering and training alike;
/// a view is labelled by the cluster it falls in, which need not be its original's.
public struct SimpleViews: ViewStrategy {
    public let perImage: Int
    public let angles: [Int]

    public init(perImage: Int, angles: [Int]) {
        self.perImage = perImage
        self.angles = angles
    }

    public var name: String { "simple" }

    public func clustered(epoch: Int, pool: ViewPool) -> [Int] {
        Array(0..<pool.originals) + pool.views(perImage: perImage, angles: angles)
    }
}
