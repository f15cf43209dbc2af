import Foundation

/// An ONNX model run as a trainable Torch module.
///
/// Floating-point initializers read by a differentiable input become parameters named as in the
/// file (`conv2.0.conv2a.conv1.weight`), so optimisers, `stateDict()` and `load(stateDict:)` work
/// as for any module; the other initializers (shapes, axes, BatchNormalization's running
/// statistics) are buffers. The forward pass runs the nodes in topological order with Torch ops,
/// so autograd flows through. BatchNormalization and Dropout follow `isTraining` (`train()` /
/// `eval()`); like every Torch layer the graph starts in training mode, so call `eval()` and
/// run inference under `withNoGrad`.
///
/// With `channelsLast` (the default) 4-D weights and inputs are kept in NHWC memory layout,
/// which oneDNN's CPU convolutions run markedly faster; values and shapes are unchanged.
///
/// The whole graph is checked when loading: unsupported operators, attributes SwiftReID cannot
/// honour, undefined values and cycles are errors naming the file. Numbers read from constant
/// inputs (target shapes, axes, scales) are taken once, at load time.
public final class ONNXGraph: Layer, TrainingModeAware {
    /// The graph description (without tensor data).
    public let model: ONNXModel
    /// Where the model came from (the file path), for messages.
    public let source: String
    public var isTraining = true
    /// Whether 4-D tensors run in channels-last (NHWC) memory layout.
    public let channelsLast: Bool

    private let program: ONNXProgram
    private let slots: [(name: String, slot: any TensorSlot)]
    /// The data of tensor attributes (Constant values), by `TensorInfo.name`.
    let attributeTensors: [String: Tensor]
    private var constants: [(value: Int, tensor: Tensor)]
    private var constantsDevice = Device.cpu

    /// Reads and validates an `.onnx` file.
    public convenience init(path: String, channelsLast: Bool = true) throws {
        try self.init(contents: ONNXFile.read(path), source: path, channelsLast: channelsLast)
    }

    public init(contents: ONNXFile.Contents, source: String = "ONNX model", channelsLast: Bool = true) throws {
        program = try ONNXProgram(model: contents.model, initializers: contents.initializers,
                                  attributeTensors: contents.attributeTensors, source: source)
        model = contents.model
        self.source = source
        self.channelsLast = channelsLast
        attributeTensors = contents.attributeTensors
        constants = program.constants
        slots = try zip(contents.initializers, program.initializerIsTrainable).map { initializer, trainable in
            var tensor = initializer.tensor
            if channelsLast, tensor.rank == 4, tensor.dtype.isFloatingPoint { tensor = try tensor.channelsLast() }
            let slot: any TensorSlot = trainable
                ? Parameter(wrappedValue: tensor, initializer.name)
                : Buffer(wrappedValue: tensor, initializer.name)
            return (initializer.name, slot)
        }
    }

    /// The graph's initializers under their ONNX names.
    public var ownTensors: [(name: String, slot: any TensorSlot)] { slots }
    public var namedChildren: [(name: String, module: any Module)] { [] }

    /// Names of the inputs `run` takes, in order (initializers listed as inputs excluded).
    public var inputNames: [String] { program.inputNames }
    public var outputNames: [String] { program.outputNames }

    /// The first output for the first input.
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try run([x])[0] }

    /// Every output, in the graph's order, for inputs in `inputNames` order.
    public func run(_ inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == program.inputValues.count else {
            throw TorchError.invalidArgument("\(source) takes \(program.inputValues.count) input(s) "
                + "(\(program.inputNames.joined(separator: ", "))), not \(inputs.count)")
        }
        if let device = inputs.first?.device, device != constantsDevice { try moveConstants(to: device) }
        var values = [Tensor?](repeating: nil, count: program.valueCount)
        for (i, v) in program.initializerValues.enumerated() { values[v] = slots[i].slot.tensor }
        for c in constants { values[c.value] = c.tensor }
        for (k, v) in program.inputValues.enumerated() {
            values[v] = channelsLast && inputs[k].rank == 4 ? try inputs[k].channelsLast() : inputs[k]
        }
        let training = isTraining
        for step in program.steps {
            let results: [Tensor]
            do {
                results = try step.kernel(step.inputs.map { $0 < 0 ? nil : values[$0] }, training)
            } catch {
                throw TorchError.invalidArgument("\(source): node '\(step.name)' (\(step.opType)): \(error)")
            }
            for (k, v) in step.outputs.enumerated() where v >= 0 {
                guard k < results.count else {
                    throw TorchError.invalidArgument("\(source): node '\(step.name)' (\(step.opType)) "
                        + "does not compute output \(k)")
                }
                values[v] = results[k]
            }
            for v in step.release { values[v] = nil }
        }
        return program.outputValues.map { values[$0]! }
    }

    /// Every output by name.
    public func outputs(_ inputs: [Tensor]) throws -> [String: Tensor] {
        Dictionary(zip(program.outputNames, try run(inputs)), uniquingKeysWith: { a, _ in a })
    }

    /// Writes the graph with its current weights as an ONNX file.
    public func save(to path: String) throws {
        try ONNXFile.write(model, initializers: slots.map { ($0.name, $0.slot.tensor!) },
                           attributeTensors: attributeTensors, to: path)
    }

    /// Floating-point constants follow the input's device; integer ones (shape arithmetic) stay
    /// on the CPU with the shapes they are combined with.
    private func moveConstants(to device: Device) throws {
        constants = try constants.map { ($0.value, $0.tensor.dtype.isFloatingPoint ? try $0.tensor.to(device) : $0.tensor) }
        constantsDevice = device
    }
}
