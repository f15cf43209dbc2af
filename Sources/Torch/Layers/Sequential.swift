/// Layers applied in order; children are named "0", "1", … as in `torch.nn.Sequential`.
public final class Sequential: Layer {
    public var layers: [any Layer]

    public init(_ layers: [any Layer]) { self.layers = layers }
    public convenience init(_ layers: any Layer...) { self.init(layers) }

    public var namedChildren: [(name: String, module: any Module)] {
        layers.enumerated().map { ("\($0.offset)", $0.element) }
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        var y = x
        for layer in layers { y = try layer(y) }
        return y
    }
}

/// A parameter-free layer from a function (activations, reshapes); keeps Sequential indices
/// aligned with PyTorch's, where activations occupy a slot too.
public final class Lambda: Layer {
    let body: (Tensor) throws -> Tensor
    /// What the function is, for ONNX export (nil: an arbitrary closure, not exportable).
    let onnxKind: ONNXActivation?
    public init(_ body: @escaping (Tensor) throws -> Tensor) {
        self.body = body
        onnxKind = nil
    }
    init(_ kind: ONNXActivation, _ body: @escaping (Tensor) throws -> Tensor) {
        self.body = body
        onnxKind = kind
    }
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try body(x) }

    public static var relu: Lambda { Lambda(.relu) { try $0.relu() } }
    public static var relu6: Lambda { Lambda(.relu6) { try $0.relu6() } }
    public static var sigmoid: Lambda { Lambda(.sigmoid) { try $0.sigmoid() } }
    public static var identity: Lambda { Lambda(.identity) { $0 } }
    public static func leakyRelu(_ slope: Double = 0.2) -> Lambda { Lambda { try $0.leakyRelu(slope) } }
}
