/// What one ONNX node does at run time: its inputs (nil for an omitted optional input) and the
/// module's training flag in, its outputs out, all with Torch ops so autograd flows through.
typealias ONNXKernel = (_ inputs: [Tensor?], _ training: Bool) throws -> [Tensor]

/// An ONNX operator SwiftReID can run: how many leading inputs it needs, and how to turn a node
/// (its attributes, its constant inputs) into a kernel once, at load time.
struct ONNXOperator: Sendable {
    let requiredInputs: Int
    let build: @Sendable (ONNXNodeContext) throws -> ONNXKernel

    init(inputs requiredInputs: Int, _ build: @escaping @Sendable (ONNXNodeContext) throws -> ONNXKernel) {
        self.requiredInputs = requiredInputs
        self.build = build
    }

    /// An operator of one input and no attributes.
    static func unary(_ f: @escaping @Sendable (Tensor) throws -> Tensor) -> ONNXOperator {
        ONNXOperator(inputs: 1) { _ in { inputs, _ in [try f(inputs[0]!)] } }
    }

    /// An operator of two broadcasting inputs and no attributes.
    static func binary(_ f: @escaping @Sendable (Tensor, Tensor) throws -> Tensor) -> ONNXOperator {
        ONNXOperator(inputs: 2) { _ in { inputs, _ in [try f(inputs[0]!, inputs[1]!)] } }
    }

    /// Every operator, by ONNX op_type (standard domain).
    static let registry: [String: ONNXOperator] = neuralNetworkOperators
        .merging(tensorOperators) { a, _ in a }
        .merging(mathOperators) { a, _ in a }

    static var supportedNames: [String] { (registry.keys + ["Constant"]).sorted() }

    /// A number read from a tensor as an integer (an index, a size): NaN, infinities and values
    /// beyond Int would trap in `Int(_:)`, so they are errors.
    static func integer(_ value: Double, _ what: String) throws -> Int {
        guard let v = Int(exactly: value.rounded(.towardZero)) else {
            throw TorchError.invalidArgument("\(what) \(value) is not a usable integer")
        }
        return v
    }

    /// An ONNX axis (negative counts from the end) as an index below `rank`.
    static func axis(_ value: Int, rank: Int) throws -> Int {
        let a = value < 0 ? value + rank : value
        guard a >= 0, a < rank else { throw TorchError.invalidArgument("axis \(value) is outside rank \(rank)") }
        return a
    }
}

/// An input read as plain numbers (a shape, axes, scales): taken at load time when the input is
/// a constant, read from the tensor on each run otherwise.
enum ONNXOperand<Value> {
    case absent
    case constant(Value)
    case runtime(index: Int, read: (Tensor) throws -> Value)

    func value(_ inputs: [Tensor?]) throws -> Value? {
        switch self {
        case .absent: return nil
        case .constant(let v): return v
        case .runtime(let index, let read): return try read(inputs[index]!)
        }
    }

    var isAbsent: Bool {
        if case .absent = self { return true }
        return false
    }
}

/// What a builder sees of one node at load time. It also records which inputs the kernel
/// reads as numbers or updates in place, so that initializers feeding only those become buffers
/// instead of trainable parameters.
final class ONNXNodeContext {
    let node: ONNXModel.Node
    let opset: Int
    private let constants: [String: Tensor]
    private let attributeTensors: [String: Tensor]
    private let consumed: Set<String>
    private(set) var valueInputs: Set<Int> = []
    private(set) var stateInputs: Set<Int> = []

    init(node: ONNXModel.Node, opset: Int, constants: [String: Tensor], attributeTensors: [String: Tensor],
         consumed: Set<String>) {
        self.node = node
        self.opset = opset
        self.constants = constants
        self.attributeTensors = attributeTensors
        self.consumed = consumed
    }

    func fail(_ why: String) -> TorchError { .invalidArgument(why) }

    // MARK: inputs and outputs

    func hasInput(_ i: Int) -> Bool { i < node.inputs.count && !node.inputs[i].isEmpty }

    /// Whether another node or the graph's output reads output `k`.
    func outputUsed(_ k: Int) -> Bool {
        k < node.outputs.count && !node.outputs[k].isEmpty && consumed.contains(node.outputs[k])
    }

    /// Fails when an output this implementation does not produce is read.
    func onlyFirstOutputs(_ count: Int, _ what: String) throws {
        for k in count..<max(count, node.outputs.count) where outputUsed(k) {
            throw fail("output \(k) (\(what)) is not supported")
        }
    }

    /// Marks input `i` as state updated in place (BatchNormalization's running statistics).
    func markState(_ i: Int) { stateInputs.insert(i) }

    /// Input `i` read as numbers.
    func operand<V>(_ i: Int, _ read: @escaping (Tensor) throws -> V) throws -> ONNXOperand<V> {
        guard hasInput(i) else { return .absent }
        valueInputs.insert(i)
        if let t = constants[node.inputs[i]] { return .constant(try read(t)) }
        return .runtime(index: i, read: read)
    }

    func intsInput(_ i: Int) throws -> ONNXOperand<[Int]> { try operand(i) { try $0.ints() } }
    func doublesInput(_ i: Int) throws -> ONNXOperand<[Double]> { try operand(i) { try $0.toArray(Double.self) } }
    func doubleInput(_ i: Int) throws -> ONNXOperand<Double> { try operand(i) { try $0.item() } }

    /// An integer list that older opsets give as an attribute and newer ones as input `i`.
    func ints(_ name: String, orInput i: Int) throws -> ONNXOperand<[Int]> {
        if let v = try ints(name) { return .constant(v) }
        return try intsInput(i)
    }

    /// The constant value of input `i`, if it has one at load time.
    func constantInput(_ i: Int) -> Tensor? { hasInput(i) ? constants[node.inputs[i]] : nil }

    // MARK: attributes

    func int(_ name: String) throws -> Int? {
        switch node.attribute(name) {
        case .none: return nil
        case .int(let v)?: return Int(v)
        default: throw fail("attribute '\(name)' must be an integer")
        }
    }
    func int(_ name: String, default value: Int) throws -> Int { try int(name) ?? value }

    func float(_ name: String) throws -> Double? {
        switch node.attribute(name) {
        case .none: return nil
        case .float(let v)?: return Double(v)
        case .int(let v)?: return Double(v)
        default: throw fail("attribute '\(name)' must be a float")
        }
    }
    func float(_ name: String, default value: Double) throws -> Double { try float(name) ?? value }

    func ints(_ name: String) throws -> [Int]? {
        switch node.attribute(name) {
        case .none: return nil
        case .ints(let v)?: return v.map { Int($0) }
        case .int(let v)?: return [Int(v)]
        default: throw fail("attribute '\(name)' must be a list of integers")
        }
    }

    func floats(_ name: String) throws -> [Double]? {
        switch node.attribute(name) {
        case .none: return nil
        case .floats(let v)?: return v.map(Double.init)
        default: throw fail("attribute '\(name)' must be a list of floats")
        }
    }

    func string(_ name: String, default value: String) throws -> String {
        switch node.attribute(name) {
        case .none: return value
        case .string(let v)?: return v
        default: throw fail("attribute '\(name)' must be a string")
        }
    }

    /// The data of a tensor attribute.
    func tensor(_ name: String) throws -> Tensor? {
        switch node.attribute(name) {
        case .none: return nil
        case .tensor(let info)?:
            guard let t = attributeTensors[info.name] else { throw fail("attribute '\(name)' has no data") }
            return t
        default: throw fail("attribute '\(name)' must be a tensor")
        }
    }
}
