/// A float image in CHW order, one sample of a [B, 3, H, W] batch: what the transforms after
/// normalisation (random erasing, flips) work on.
public struct FloatImage: Sendable, Equatable {
    public var channels: Int
    public var height: Int
    public var width: Int
    /// channels × height × width values, channel planes one after another.
    public var values: [Float]

    public init(channels: Int = 3, height: Int, width: Int, values: [Float]) {
        precondition(values.count == channels * height * width, "value count does not match \(channels)x\(height)x\(width)")
        self.channels = channels
        self.height = height
        self.width = width
        self.values = values
    }

    public init(channels: Int = 3, height: Int, width: Int, fill: Float = 0) {
        self.init(channels: channels, height: height, width: width,
                  values: [Float](repeating: fill, count: channels * height * width))
    }

    @inline(__always) public func index(_ c: Int, _ y: Int, _ x: Int) -> Int { (c * height + y) * width + x }

    public subscript(c: Int, y: Int, x: Int) -> Float {
        get { values[index(c, y, x)] }
        set { values[index(c, y, x)] = newValue }
    }
}
