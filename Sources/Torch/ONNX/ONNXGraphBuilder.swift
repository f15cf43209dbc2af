import Foundation

/// Builds an ONNX graph node by node while walking a module tree (see `ONNXExportable`):
/// values are named strings, weights become initializers under their module paths.
public final class ONNXGraphBuilder {
    public static let opset: Int64 = 13

    public private(set) var nodes: [ONNXModel.Node] = []
    public private(set) var initializers: [(name: String, tensor: Tensor)] = []
    private var used: Set<String> = []
    private var counter = 0

    public init() {}

    /// A value name not used yet, from `hint`.
    public func fresh(_ hint: String) -> String {
        counter += 1
        var name = hint.isEmpty ? "v\(counter)" : hint
        if used.contains(name) { name += "_\(counter)" }
        used.insert(name)
        return name
    }

    /// Adds a weight (float32, contiguous, on the CPU) and returns its name. A tensor object
    /// added before (a module applied twice, like OSNet's shared gate) is stored once.
    public func initializer(_ name: String, _ tensor: Tensor) throws -> String {
        if let known = seen[ObjectIdentifier(tensor)] { return known.name }
        let value = try tensor.detached().to(.cpu).to(.float32).contiguous().clone()
        let unique = fresh(name)
        initializers.append((unique, value))
        seen[ObjectIdentifier(tensor)] = (unique, tensor)
        return unique
    }
    /// Tensors already stored, kept alive so their identifiers stay unique.
    private var seen: [ObjectIdentifier: (name: String, tensor: Tensor)] = [:]

    public func constant(_ name: String, floats: [Float], shape: [Int]) throws -> String {
        try initializer(name, Tensor(floats, shape: shape))
    }

    public func constant(_ name: String, int64s: [Int64]) throws -> String {
        let value = try Tensor(int64s)
        let unique = fresh(name)
        initializers.append((unique, value))
        return unique
    }

    /// Appends a node with one output and returns the output's name.
    @discardableResult
    public func node(_ op: String, _ inputs: [String], _ attributes: [ONNXModel.Attribute] = [], name: String) -> String {
        let output = fresh(name)
        nodes.append(ONNXModel.Node(op, name: output, inputs: inputs, outputs: [output], attributes: attributes))
        return output
    }

    /// Appends a node as it is (several outputs, say); its outputs must come from `fresh`.
    public func append(_ node: ONNXModel.Node) { nodes.append(node) }

    /// Exports `module` (which must be `ONNXExportable`) applied to `input`.
    public func apply(_ module: any Module, _ input: String, name: String) throws -> String {
        guard let exportable = module as? ONNXExportable else {
            throw TorchError.invalidArgument("ONNX export: \(name) is a \(type(of: module)), which has no ONNX export")
        }
        return try exportable.exportONNX(input, into: self, name: name)
    }

    /// The finished model: float input `[batch, channels, height, width]` named `input`, and
    /// the output renamed to `outputName` with shape `[batch, outputDims…]`.
    public func model(input: String, inputShape: [ONNXModel.Dimension], output: String, outputName: String,
                      outputShape: [ONNXModel.Dimension]) -> ONNXModel {
        var nodes = self.nodes
        if let i = nodes.lastIndex(where: { $0.outputs.contains(output) }) {
            nodes[i].outputs = nodes[i].outputs.map { $0 == output ? outputName : $0 }
        }
        let graph = ONNXModel.Graph(name: "swiftreid", nodes: nodes,
                                    inputs: [ONNXModel.ValueInfo(name: input, elementType: .float, shape: inputShape)],
                                    outputs: [ONNXModel.ValueInfo(name: outputName, elementType: .float, shape: outputShape)])
        var model = ONNXModel(graph: graph, opset: Self.opset)
        model.producerVersion = nil
        return model
    }
}

/// A module that can write itself into an ONNX graph, with the semantics of its evaluation-mode
/// forward pass (batch norms use their running statistics).
public protocol ONNXExportable {
    /// Appends the nodes computing this module on `input`; returns the output value's name.
    /// `name` is the module's path (`backbone.layer1.0`), used for its weights and values.
    func exportONNX(_ input: String, into graph: ONNXGraphBuilder, name: String) throws -> String
}

/// The activations a `Lambda` may stand for in an exported graph.
enum ONNXActivation {
    case relu, relu6, sigmoid, identity
}
