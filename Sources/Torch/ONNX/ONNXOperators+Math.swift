// Elementwise maths (broadcasting as ONNX and libtorch both do), activations, softmax and
// reductions.

extension ONNXOperator {
    static let mathOperators: [String: ONNXOperator] = [
        "Add": .binary { try $0 + $1 }, "Sub": .binary { try $0 - $1 }, "Mul": .binary { try $0 * $1 },
        "Div": .binary(divide), "Pow": .binary(power), "MatMul": .binary { try $0.matmul($1) },
        "Max": variadic { try $0.maximum($1) }, "Min": variadic { try $0.minimum($1) }, "Sum": variadic { try $0 + $1 },
        "Equal": .binary { try $0.eq($1) }, "Less": .binary { try $0.lt($1) }, "Greater": .binary { try $0.gt($1) },
        "LessOrEqual": .binary { try $0.le($1) }, "GreaterOrEqual": .binary { try $0.ge($1) },
        "And": .binary { try $0.logicalAnd($1) }, "Or": .binary { try $0.logicalOr($1) },
        "Not": .unary { try $0.logicalNot() },
        "Where": ONNXOperator(inputs: 3) { _ in { inputs, _ in [try Tensor.where(inputs[0]!, inputs[1]!, inputs[2]!)] } },
        "Relu": .unary { try $0.relu() }, "Sigmoid": .unary { try $0.sigmoid() }, "Tanh": .unary { try $0.tanh() },
        "Sqrt": .unary { try $0.sqrt() }, "Exp": .unary { try $0.exp() }, "Log": .unary { try $0.log() },
        "Neg": .unary { try $0.neg() }, "Abs": .unary { try $0.abs() }, "Reciprocal": .unary { try $0.reciprocal() },
        "Floor": .unary { try $0.floor() }, "Ceil": .unary { try $0.ceil() }, "Sin": .unary { try $0.sin() },
        "Cos": .unary { try $0.cos() }, "Softplus": .unary { try $0.softplus() }, "HardSwish": .unary { try $0.hardswish() },
        "PRelu": .binary { x, slope in try Tensor.where(x.lt(0), x * slope, x) },
        "LeakyRelu": leakyRelu, "HardSigmoid": hardSigmoid, "Clip": clip,
        "Softmax": softmax(log: false), "LogSoftmax": softmax(log: true),
        "ReduceMean": reduce { try $0.mean(dims: $1, keepDim: $2) },
        "ReduceSum": reduce { try $0.sum(dims: $1, keepDim: $2) },
        "ReduceMax": reduce { try $0.amax(dims: $1, keepDim: $2) },
        "ReduceMin": reduce { try $0.amin(dims: $1, keepDim: $2) },
    ]

    /// Integer division truncates, as in ONNX; libtorch's would give floats.
    static func divide(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let q = try a / b
        return a.dtype.isFloatingPoint ? q : try q.to(a.dtype)
    }

    /// The result keeps the base's type, as in ONNX.
    static func power(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let p = try a.pow(b)
        return p.dtype == a.dtype ? p : try p.to(a.dtype)
    }

    /// An operator folding any number of inputs with a broadcasting binary op (Max, Min, Sum).
    static func variadic(_ f: @escaping @Sendable (Tensor, Tensor) throws -> Tensor) -> ONNXOperator {
        ONNXOperator(inputs: 1) { _ in
            { inputs, _ in
                let present = inputs.compactMap { $0 }
                return [try present.dropFirst().reduce(present[0], f)]
            }
        }
    }

    static let leakyRelu = ONNXOperator(inputs: 1) { ctx in
        let alpha = try ctx.float("alpha", default: 0.01)
        return { inputs, _ in [try inputs[0]!.leakyRelu(alpha)] }
    }

    static let hardSigmoid = ONNXOperator(inputs: 1) { ctx in
        let alpha = try ctx.float("alpha", default: 0.2), beta = try ctx.float("beta", default: 0.5)
        return { inputs, _ in [try (inputs[0]! * alpha + beta).clamp(min: 0, max: 1)] }
    }

    /// Bounds from attributes (before opset 11) or inputs; Relu6 is Clip(0, 6).
    static let clip = ONNXOperator(inputs: 1) { ctx in
        let low: ONNXOperand<Double>, high: ONNXOperand<Double>
        if ctx.opset < 11 {
            low = try ctx.float("min").map { .constant($0) } ?? .absent
            high = try ctx.float("max").map { .constant($0) } ?? .absent
        } else {
            (low, high) = (try ctx.doubleInput(1), try ctx.doubleInput(2))
        }
        return { inputs, _ in [try inputs[0]!.clamp(min: try low.value(inputs), max: try high.value(inputs))] }
    }

    /// Before opset 13 Softmax works on the input flattened to 2-D at `axis` (default 1); from
    /// 13 on along one axis (default -1).
    static func softmax(log: Bool) -> ONNXOperator {
        ONNXOperator(inputs: 1) { ctx in
            let legacy = ctx.opset < 13
            let axis = try ctx.int("axis", default: legacy ? 1 : -1)
            func apply(_ x: Tensor, _ dim: Int) throws -> Tensor { log ? try x.logSoftmax(dim: dim) : try x.softmax(dim: dim) }
            return { inputs, _ in
                let x = inputs[0]!
                guard legacy else { return [try apply(x, axis)] }
                let shape = x.shape
                let a = try ONNXOperator.axis(axis, rank: shape.count)
                if a == shape.count - 1 { return [try apply(x, a)] }
                let flat = try x.reshape([shape[..<a].reduce(1, *), shape[a...].reduce(1, *)])
                return [try apply(flat, 1).reshape(shape)]
            }
        }
    }

    /// ReduceMean/Sum/Max/Min: axes from the attribute (older opsets) or input 1; none means all.
    static func reduce(_ f: @escaping @Sendable (Tensor, [Int], Bool) throws -> Tensor) -> ONNXOperator {
        ONNXOperator(inputs: 1) { ctx in
            let keep = try ctx.int("keepdims", default: 1) != 0
            let noopWithoutAxes = try ctx.int("noop_with_empty_axes", default: 0) != 0
            let axes = try ctx.ints("axes", orInput: 1)
            return { inputs, _ in
                let x = inputs[0]!
                var dims = try axes.value(inputs) ?? []
                if dims.isEmpty {
                    if noopWithoutAxes { return [x] }
                    dims = Array(0..<x.rank)
                }
                return [try f(x, dims, keep)]
            }
        }
    }
}
