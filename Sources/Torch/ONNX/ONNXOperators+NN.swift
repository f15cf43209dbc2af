// Convolutions, pooling, normalisation, Gemm, Dropout and Resize.

extension Array where Element == Tensor? {
    /// Input `i`, or nil when the node leaves that optional input out.
    subscript(optional i: Int) -> Tensor? { i < count ? self[i] : nil }
}

extension ONNXOperator {
    static let neuralNetworkOperators: [String: ONNXOperator] = [
        "Conv": conv, "ConvTranspose": convTranspose, "MaxPool": maxPool, "AveragePool": averagePool,
        // 2-D maps use adaptive pooling, which libtorch's inference optimiser keeps in oneDNN layout.
        "GlobalAveragePool": .unary {
            $0.rank == 4 ? try F.adaptiveAvgPool2d($0, (1, 1)) : try $0.mean(dims: try spatialAxes($0), keepDim: true)
        },
        "GlobalMaxPool": .unary { try $0.amax(dims: try spatialAxes($0), keepDim: true) },
        "BatchNormalization": batchNormalization, "InstanceNormalization": instanceNormalization,
        "LayerNormalization": layerNormalization, "Gemm": gemm, "Dropout": dropout,
        "Resize": resize, "Upsample": resize,
    ]

    /// The axes after N and C of an input that must have them.
    static func spatialAxes(_ x: Tensor) throws -> [Int] {
        guard x.rank >= 3 else { throw TorchError.invalidArgument("global pooling needs N, C and spatial axes, not shape \(x.shape)") }
        return Array(2..<x.rank)
    }

    static let conv = ONNXOperator(inputs: 2) { ctx in
        let attributes = try ONNXWindowAttributes(ctx)
        let groups = try ctx.int("group", default: 1)
        guard (1...ONNXWindowAttributes.maxValue).contains(groups) else {
            throw ctx.fail("group \(groups) must be in 1...\(ONNXWindowAttributes.maxValue)")
        }
        let fixed = try attributes.resolveIfKnown(rank: ctx.constantInput(1).map { $0.rank - 2 })
        return { inputs, _ in
            let window = try fixed ?? attributes.resolve(rank: inputs[0]!.rank - 2)
            var x = try window.lift(inputs[0]!)
            let w = try window.lift(inputs[1]!)
            var (begin, end) = try window.pads(for: x) { try ONNXWindow.spatialSize(of: w) }
            if begin != end {
                x = try ONNXWindow.padded(x, begin: begin, end: end)
                begin = (0, 0)
            }
            return [try window.lower(F.conv2d(x, weight: w, bias: inputs[optional: 2], stride: window.stride,
                                              padding: begin, dilation: window.dilation, groups: groups))]
        }
    }

    static let convTranspose = ONNXOperator(inputs: 2) { ctx in
        let attributes = try ONNXWindowAttributes(ctx)
        guard attributes.autoPad == "NOTSET" || attributes.autoPad == "VALID" else {
            throw ctx.fail("auto_pad \(attributes.autoPad) is not supported")
        }
        guard try ctx.ints("output_shape") == nil else { throw ctx.fail("attribute output_shape is not supported") }
        let groups = try ctx.int("group", default: 1)
        guard (1...ONNXWindowAttributes.maxValue).contains(groups) else {
            throw ctx.fail("group \(groups) must be in 1...\(ONNXWindowAttributes.maxValue)")
        }
        let outputPadding = try ctx.ints("output_padding")
        if let outputPadding, outputPadding.count < 1 || outputPadding.contains(where: { $0 < 0 || $0 > ONNXWindowAttributes.maxValue }) {
            throw ctx.fail("output_padding \(outputPadding) must hold 1 or 2 values in 0...\(ONNXWindowAttributes.maxValue)")
        }
        let fixed = try attributes.resolveIfKnown(rank: ctx.constantInput(1).map { $0.rank - 2 })
        return { inputs, _ in
            let window = try fixed ?? attributes.resolve(rank: inputs[0]!.rank - 2)
            let x = try window.lift(inputs[0]!), w = try window.lift(inputs[1]!)
            let (begin, end) = try window.pads(for: x) { try ONNXWindow.spatialSize(of: w) }
            guard begin == end else { throw TorchError.invalidArgument("asymmetric pads are not supported") }
            let extra = try outputPadding.map { p -> (Int, Int) in
                guard window.flat || p.count >= 2 else {
                    throw TorchError.invalidArgument("output_padding \(p) has too few values for a 2-D window")
                }
                return window.flat ? (0, p[0]) : (p[0], p[1])
            } ?? (0, 0)
            return [try window.lower(F.convTranspose2d(x, weight: w, bias: inputs[optional: 2], stride: window.stride,
                                                       padding: begin, outputPadding: extra, groups: groups,
                                                       dilation: window.dilation))]
        }
    }

    static let maxPool = ONNXOperator(inputs: 1) { ctx in
        try ctx.onlyFirstOutputs(1, "Indices")
        let attributes = try ONNXWindowAttributes(ctx)
        guard let window = try attributes.resolveIfKnown(rank: nil), let kernel = window.kernel else {
            throw ctx.fail("kernel_shape is required")
        }
        let ceilMode = try ctx.int("ceil_mode", default: 0) != 0
        return { inputs, _ in
            var x = try window.lift(inputs[0]!)
            var (begin, end) = try window.pads(for: x) { kernel }
            if begin != end {
                x = try ONNXWindow.padded(x, begin: begin, end: end, value: -.infinity)
                begin = (0, 0)
            }
            return [try window.lower(F.maxPool2d(x, kernel: kernel, stride: window.stride, padding: begin,
                                                 dilation: window.dilation, ceilMode: ceilMode))]
        }
    }

    static let averagePool = ONNXOperator(inputs: 1) { ctx in
        let attributes = try ONNXWindowAttributes(ctx)
        guard let window = try attributes.resolveIfKnown(rank: nil), let kernel = window.kernel else {
            throw ctx.fail("kernel_shape is required")
        }
        guard window.dilation == (1, 1) else { throw ctx.fail("dilations are not supported") }
        let ceilMode = try ctx.int("ceil_mode", default: 0) != 0
        let countIncludePad = try ctx.int("count_include_pad", default: 0) != 0
        return { inputs, _ in
            var x = try window.lift(inputs[0]!)
            var (begin, end) = try window.pads(for: x) { kernel }
            if begin != end {
                guard countIncludePad else {
                    throw TorchError.invalidArgument("asymmetric pads need count_include_pad=1")
                }
                x = try ONNXWindow.padded(x, begin: begin, end: end)
                begin = (0, 0)
            }
            return [try window.lower(F.avgPool2d(x, kernel: kernel, stride: window.stride, padding: begin,
                                                 ceilMode: ceilMode, countIncludePad: countIncludePad))]
        }
    }

    /// Batch statistics and a running-statistics update in training mode, running statistics in
    /// evaluation mode, as `torch.nn.BatchNorm2d`. ONNX's momentum weighs the old running value,
    /// PyTorch's the new batch value.
    static let batchNormalization = ONNXOperator(inputs: 5) { ctx in
        try ctx.onlyFirstOutputs(1, "running statistics")
        ctx.markState(3)
        ctx.markState(4)
        let eps = try ctx.float("epsilon", default: 1e-5)
        let momentum = 1 - (try ctx.float("momentum", default: 0.9))
        return { inputs, training in
            [try F.batchNorm(inputs[0]!, weight: inputs[1], bias: inputs[2], runningMean: inputs[3],
                             runningVar: inputs[4], training: training, momentum: momentum, eps: eps)]
        }
    }

    static let instanceNormalization = ONNXOperator(inputs: 3) { ctx in
        let eps = try ctx.float("epsilon", default: 1e-5)
        return { inputs, _ in [try F.instanceNorm(inputs[0]!, weight: inputs[1], bias: inputs[2], eps: eps)] }
    }

    static let layerNormalization = ONNXOperator(inputs: 2) { ctx in
        try ctx.onlyFirstOutputs(1, "Mean / InvStdDev")
        let axis = try ctx.int("axis", default: -1)
        let eps = try ctx.float("epsilon", default: 1e-5)
        return { inputs, _ in
            let x = inputs[0]!, shape = x.shape
            let a = try ONNXOperator.axis(axis, rank: shape.count)
            return [try F.layerNorm(x, shape: Array(shape[a...]), weight: inputs[1], bias: inputs[optional: 2], eps: eps)]
        }
    }

    /// alpha·A'·B' + beta·C; the Linear-layer case (transB=1, alpha=beta=1) is one fused op.
    static let gemm = ONNXOperator(inputs: 2) { ctx in
        let alpha = try ctx.float("alpha", default: 1), beta = try ctx.float("beta", default: 1)
        let transA = try ctx.int("transA", default: 0) != 0, transB = try ctx.int("transB", default: 0) != 0
        return { inputs, _ in
            let a = transA ? try inputs[0]!.t() : inputs[0]!
            let c = inputs[optional: 2]
            if transB, alpha == 1, beta == 1, c.map({ $0.rank <= 1 }) ?? true {
                return [try F.linear(a, weight: inputs[1]!, bias: c)]
            }
            let b = transB ? try inputs[1]!.t() : inputs[1]!
            if let c { return [try c.addmm(a, b, beta: beta, alpha: alpha)] }
            let product = try a.matmul(b)
            return [alpha == 1 ? product : try product * alpha]
        }
    }

    /// Identity in evaluation mode, `torch.nn.Dropout` in training mode.
    static let dropout = ONNXOperator(inputs: 1) { ctx in
        try ctx.onlyFirstOutputs(1, "mask")
        let ratio: ONNXOperand<Double> = ctx.opset < 12
            ? .constant(try ctx.float("ratio", default: 0.5)) : try ctx.doubleInput(1)
        _ = try ctx.operand(2) { _ in () } // training_mode: the module's mode decides
        return { inputs, training in
            guard training else { return [inputs[0]!] }
            return [try F.dropout(inputs[0]!, p: try ratio.value(inputs) ?? 0.5, training: true)]
        }
    }

    /// Resize / Upsample of NCHW input, for the modes libtorch's upsampling matches exactly:
    /// nearest with asymmetric coordinates and floor rounding (PyTorch's own export), nearest
    /// with half-pixel coordinates at integer factors, and linear with half-pixel or
    /// align-corners coordinates.
    static let resize = ONNXOperator(inputs: 1) { ctx in
        let mode = try ctx.string("mode", default: "nearest")
        let modern = ctx.node.opType == "Resize" && ctx.opset >= 11
        let coordinates = modern ? try ctx.string("coordinate_transformation_mode", default: "half_pixel") : "asymmetric"
        let rounding = modern ? try ctx.string("nearest_mode", default: "round_prefer_floor") : "floor"
        guard try ctx.int("antialias", default: 0) == 0, try ctx.ints("axes") == nil else {
            throw ctx.fail("antialias and axes are not supported")
        }
        let bilinear: Bool, alignCorners: Bool, integerFactorsOnly: Bool
        switch (mode, coordinates, rounding) {
        case ("nearest", "asymmetric", "floor"):
            (bilinear, alignCorners, integerFactorsOnly) = (false, false, false)
        case ("nearest", "half_pixel", "round_prefer_floor"), ("nearest", "half_pixel", "round_prefer_ceil"),
             ("nearest", "pytorch_half_pixel", "round_prefer_floor"), ("nearest", "pytorch_half_pixel", "round_prefer_ceil"):
            (bilinear, alignCorners, integerFactorsOnly) = (false, false, true)
        case ("linear", "half_pixel", _), ("linear", "pytorch_half_pixel", _):
            (bilinear, alignCorners, integerFactorsOnly) = (true, false, false)
        case ("linear", "align_corners", _):
            (bilinear, alignCorners, integerFactorsOnly) = (true, true, false)
        default:
            throw ctx.fail("mode '\(mode)' with coordinate_transformation_mode '\(coordinates)'"
                + (mode == "nearest" ? " and nearest_mode '\(rounding)'" : "") + " is not supported")
        }
        let scales: ONNXOperand<[Double]>, sizes: ONNXOperand<[Int]>
        if let attribute = try ctx.floats("scales") {
            (scales, sizes) = (.constant(attribute), .absent)
        } else if modern {
            _ = try ctx.doublesInput(1) // roi: only tf_crop_and_resize reads it
            (scales, sizes) = (try ctx.doublesInput(2), try ctx.intsInput(3))
        } else {
            (scales, sizes) = (try ctx.doublesInput(1), .absent)
        }
        return { inputs, _ in
            let x = inputs[0]!, shape = x.shape
            guard shape.count == 4 else { throw TorchError.invalidArgument("only NCHW (4-D) input is supported") }
            let size: (Int, Int)
            if let s = try sizes.value(inputs), !s.isEmpty {
                guard s.count == 4, s[0] == shape[0], s[1] == shape[1] else {
                    throw TorchError.invalidArgument("sizes \(s) must keep N and C of input \(shape)")
                }
                size = (s[2], s[3])
            } else if let s = try scales.value(inputs), !s.isEmpty {
                guard s.count == 4, s[0] == 1, s[1] == 1 else {
                    throw TorchError.invalidArgument("scales \(s) must be 1 for N and C")
                }
                size = (try ONNXOperator.integer((Double(shape[2]) * s[2]).rounded(.down), "a resized height"),
                        try ONNXOperator.integer((Double(shape[3]) * s[3]).rounded(.down), "a resized width"))
            } else {
                throw TorchError.invalidArgument("neither scales nor sizes given")
            }
            if integerFactorsOnly, shape[2] == 0 || shape[3] == 0 || size.0 % shape[2] != 0 || size.1 % shape[3] != 0 {
                throw TorchError.invalidArgument("half-pixel nearest resizing is supported for integer upscaling only")
            }
            return [try F.interpolate(x, size: size, bilinear: bilinear, alignCorners: alignCorners)]
        }
    }
}
