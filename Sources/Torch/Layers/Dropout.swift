/// Zeroes elements with probability `p` in training mode, `torch.nn.Dropout`.
public final class Dropout: Layer, TrainingModeAware {
    public let p: Double
    public var isTraining = true

    public init(_ p: Double = 0.5) { self.p = p }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard isTraining, p > 0 else { return x }
        return try F.dropout(x, p: p, training: true)
    }
}
