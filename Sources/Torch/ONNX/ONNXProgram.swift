/// An ONNX graph compiled once for running: nodes in topological order, every value name
/// resolved to an index into a value table, kernels built from the attributes, and after each
/// step the values no later step reads, so they are dropped at once. Nothing in the run loop
/// looks a name up.
struct ONNXProgram {
    struct Step {
        let kernel: ONNXKernel
        /// Value indices of the node's inputs; -1 for an omitted optional input.
        let inputs: [Int]
        /// Value indices of the node's outputs; -1 for one nothing reads.
        let outputs: [Int]
        /// Values last read by this step.
        let release: [Int]
        let name: String
        let opType: String
    }

    let steps: [Step]
    let valueCount: Int
    let inputNames: [String]
    let inputValues: [Int]
    let outputNames: [String]
    let outputValues: [Int]
    /// Value index of each initializer, in the order given.
    let initializerValues: [Int]
    /// Whether each initializer is read as a differentiable input (so it is a parameter) rather
    /// than as numbers or running statistics (a buffer).
    let initializerIsTrainable: [Bool]
    /// Constant nodes, evaluated at load time.
    let constants: [(value: Int, tensor: Tensor)]

    /// Validates and compiles `model`; every problem is thrown as an error naming `source`.
    init(model: ONNXModel, initializers: [(name: String, tensor: Tensor)], attributeTensors: [String: Tensor],
         source: String) throws {
        func problem(_ why: String) -> TorchError { .file(path: source, reason: why) }
        let graph = model.graph
        guard let opset = model.opset else { throw problem("the model imports no standard ONNX operator set") }

        // Every operator must be known before anything else is looked at.
        var unsupported: [String: String] = [:]
        for node in graph.nodes {
            let standard = node.domain.isEmpty || node.domain == "ai.onnx"
            if standard && (node.opType == "Constant" || ONNXOperator.registry[node.opType] != nil) { continue }
            let op = standard ? node.opType : "\(node.domain).\(node.opType)"
            if unsupported[op] == nil { unsupported[op] = node.name }
        }
        if !unsupported.isEmpty {
            let list = unsupported.keys.sorted().map { "\($0) (node '\(unsupported[$0]!)')" }.joined(separator: ", ")
            throw problem("unsupported ONNX operator(s): \(list); supported: "
                + ONNXOperator.supportedNames.joined(separator: ", "))
        }

        // Value indices: initializers, graph inputs, Constant outputs, then node outputs.
        var index: [String: Int] = [:]
        func define(_ name: String, by what: String) throws -> Int {
            guard index[name] == nil else { throw problem("'\(name)' is defined twice (again by \(what))") }
            index[name] = index.count
            return index.count - 1
        }
        initializerValues = try initializers.map { try define($0.name, by: "an initializer") }
        let initializerNames = Set(initializers.map(\.name))
        let realInputs = graph.inputs.filter { !initializerNames.contains($0.name) }
        // A graph without inputs or outputs cannot be run on an image (`run(...)[0]` trapped).
        guard !realInputs.isEmpty else {
            throw problem("the graph has no inputs (besides initializers); export the model again with its image input")
        }
        guard !graph.outputs.isEmpty else {
            throw problem("the graph has no outputs; export the model again with its feature output listed")
        }
        for value in graph.inputs + graph.outputs where value.name.isEmpty {
            throw problem("a graph input or output has an empty name")
        }
        inputNames = realInputs.map(\.name)
        inputValues = try realInputs.map { try define($0.name, by: "a graph input") }

        var constants: [(Int, Tensor)] = []
        var known = Dictionary(initializers.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
        var nodes: [ONNXModel.Node] = []
        for node in graph.nodes {
            if node.opType == "Constant" {
                guard let output = node.outputs.first, !output.isEmpty else { continue }
                let value: Tensor
                do {
                    value = try Self.constant(node, attributeTensors)
                } catch {
                    throw problem("node '\(node.name)' (Constant): \(error)")
                }
                constants.append((try define(output, by: "node '\(node.name)'"), value))
                known[output] = value
            } else {
                for output in node.outputs where !output.isEmpty { _ = try define(output, by: "node '\(node.name)'") }
                nodes.append(node)
            }
        }
        self.constants = constants
        for node in nodes {
            for input in node.inputs where !input.isEmpty && index[input] == nil {
                throw problem("node '\(node.name)' (\(node.opType)) reads '\(input)', which no graph input, "
                    + "initializer or node defines")
            }
        }
        for output in graph.outputs where index[output.name] == nil {
            throw problem("graph output '\(output.name)' is never computed")
        }
        outputNames = graph.outputs.map(\.name)
        outputValues = graph.outputs.map { index[$0.name]! }
        valueCount = index.count

        let order = try Self.topologicalOrder(nodes, index: index, problem: problem)
        let consumed = Set(nodes.flatMap(\.inputs) + outputNames)

        // Kernels, and which initializers are read as differentiable inputs.
        var trainable = Set<Int>()
        var built: [(node: ONNXModel.Node, kernel: ONNXKernel)] = []
        for node in order {
            let op = ONNXOperator.registry[node.opType]!
            let label = "node '\(node.name)' (\(node.opType))"
            for i in 0..<op.requiredInputs where i >= node.inputs.count || node.inputs[i].isEmpty {
                throw problem("\(label) lacks required input \(i)")
            }
            let ctx = ONNXNodeContext(node: node, opset: Int(opset), constants: known,
                                      attributeTensors: attributeTensors, consumed: consumed)
            do {
                built.append((node, try op.build(ctx)))
            } catch {
                throw problem("\(label): \(error)")
            }
            for (i, input) in node.inputs.enumerated()
            where !input.isEmpty && !ctx.valueInputs.contains(i) && !ctx.stateInputs.contains(i) {
                trainable.insert(index[input]!)
            }
        }
        initializerIsTrainable = zip(initializerValues, initializers).map {
            trainable.contains($0) && $1.tensor.dtype.isFloatingPoint
        }

        // The last step that reads each value; graph outputs are kept to the end.
        var lastRead = [Int](repeating: -1, count: valueCount)
        for (s, entry) in built.enumerated() {
            for input in entry.node.inputs where !input.isEmpty { lastRead[index[input]!] = s }
        }
        for v in outputValues { lastRead[v] = built.count }
        var releases = [[Int]](repeating: [], count: built.count)
        for (v, s) in lastRead.enumerated() where s >= 0 && s < built.count { releases[s].append(v) }
        steps = built.enumerated().map { s, entry in
            Step(kernel: entry.kernel,
                 inputs: entry.node.inputs.map { $0.isEmpty ? -1 : index[$0]! },
                 outputs: entry.node.outputs.map { !$0.isEmpty && consumed.contains($0) ? index[$0]! : -1 },
                 release: releases[s], name: entry.node.name, opType: entry.node.opType)
        }
    }

    /// Kahn's algorithm, keeping file order among nodes that are ready together.
    private static func topologicalOrder(_ nodes: [ONNXModel.Node], index: [String: Int],
                                         problem: (String) -> TorchError) throws -> [ONNXModel.Node] {
        var producer: [Int: Int] = [:]
        for (n, node) in nodes.enumerated() {
            for output in node.outputs where !output.isEmpty { producer[index[output]!] = n }
        }
        var waiting = [Int](repeating: 0, count: nodes.count)
        var consumers = [[Int]](repeating: [], count: nodes.count)
        for (n, node) in nodes.enumerated() {
            let sources = Set(node.inputs.compactMap { $0.isEmpty ? nil : producer[index[$0]!] })
            waiting[n] = sources.count
            for p in sources { consumers[p].append(n) }
        }
        var ready = (0..<nodes.count).filter { waiting[$0] == 0 }
        var order: [ONNXModel.Node] = []
        var head = 0
        while head < ready.count {
            let n = ready[head]
            head += 1
            order.append(nodes[n])
            for c in consumers[n] {
                waiting[c] -= 1
                if waiting[c] == 0 { ready.append(c) }
            }
        }
        if order.count < nodes.count {
            let stuck = nodes.indices.first { waiting[$0] > 0 }!
            throw problem("the graph has a cycle through node '\(nodes[stuck].name)'")
        }
        return order
    }

    /// The value of a Constant node.
    private static func constant(_ node: ONNXModel.Node, _ attributeTensors: [String: Tensor]) throws -> Tensor {
        switch node.attributes.first?.value {
        case .tensor(let info)?:
            guard let t = attributeTensors[info.name] else { throw TorchError.invalidArgument("its value has no data") }
            return t
        case .float(let v)?: return try Tensor([v], shape: [])
        case .floats(let v)?: return try Tensor(v)
        case .int(let v)?: return try Tensor([v], shape: [])
        case .ints(let v)?: return try Tensor(v)
        default:
            throw TorchError.invalidArgument("only tensor, float(s) and int(s) values are supported")
        }
    }
}
