import Foundation

/// Builds an ONNX graph node by node while walking a module tree (see `ONNXExportable`):
/// values are named strings, weights become initializers under their module paths.
public final class ONNXGraphBuilder {
    public static let opset: Int64 = 13

    public private(set) var nodes: [ONNXModel.Node] = []
    public private(set) var initializers: [(name: String, tensor: Tensor)] = []
    /// Data of tensor attributes (a spliced graph's Constant values), by `TensorInfo.name`.
    public private(set) var attributeTensors: [String: Tensor] = [:]
    /// The operator sets of a spliced graph (see `splice`); nil: the standard set at `opset`.
    public private(set) var splicedOpsets: [ONNXModel.OperatorSetID]?
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

    /// Adds a tensor as it is (any dtype, e.g. the int64 shapes of a spliced graph).
    public func rawInitializer(_ name: String, _ tensor: Tensor) throws -> String {
        let unique = fresh(name)
        initializers.append((unique, try tensor.detached().to(.cpu).contiguous().clone()))
        return unique
    }

    /// Adds the data of a tensor attribute under a new unique name and returns that name.
    public func attributeTensor(_ name: String, _ tensor: Tensor) throws -> String {
        let unique = fresh(name)
        attributeTensors[unique] = try tensor.detached().to(.cpu).contiguous().clone()
        return unique
    }

    /// Records the operator sets of a graph spliced in. A builder takes one graph's sets; the
    /// nodes SwiftReID itself writes (pooling, batch norm, reshape) mean the same from opset 8 on.
    public func adoptOpsets(_ opsets: [ONNXModel.OperatorSetID], from source: String) throws {
        let standard = opsets.first { $0.domain.isEmpty || $0.domain == "ai.onnx" }?.version ?? 0
        guard standard >= 8 else {
            throw TorchError.invalidArgument("ONNX export: \(source) uses opset \(standard); re-export it at opset 8 or later")
        }
        if let splicedOpsets, splicedOpsets != opsets {
            throw TorchError.invalidArgument("ONNX export: \(source) uses other operator sets than a graph already spliced in")
        }
        splicedOpsets = opsets
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
        if let splicedOpsets { model.opsetImports = splicedOpsets }
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
