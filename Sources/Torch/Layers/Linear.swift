/// Fully connected layer, `torch.nn.Linear` (weight [out, in], PyTorch's default init).
public final class Linear: Layer {
    @Parameter public var weight: Tensor
    @OptionalParameter public var bias: Tensor?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true) throws {
        let w = try Tensor.empty([outFeatures, inFeatures])
        try w.kaimingUniform_(a: 5.0.squareRoot(), relu: false)
        weight = w
        if bias {
            let bound = 1 / Double(inFeatures).squareRoot()
            let b = try Tensor.empty([outFeatures])
            try b.uniform_(-bound, bound)
            self.bias = b
        } else {
            self.bias = nil
        }
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor { try F.linear(x, weight: weight, bias: bias) }
}
