/// The sliding-window attributes of Conv, ConvTranspose and the pools (`kernel_shape`,
/// `strides`, `dilations`, `pads`, `auto_pad`) as written on a node.
struct ONNXWindowAttributes {
    /// Largest kernel size, stride, dilation or pad accepted (far above any real network).
    static let maxValue = 1 << 16

    let kernel: [Int]?
    let strides: [Int]?
    let dilations: [Int]?
    let pads: [Int]?
    let autoPad: String

    init(_ ctx: ONNXNodeContext) throws {
        kernel = try ctx.ints("kernel_shape")
        strides = try ctx.ints("strides")
        dilations = try ctx.ints("dilations")
        pads = try ctx.ints("pads")
        autoPad = try ctx.string("auto_pad", default: "NOTSET")
        // Bounded so the SAME_* pad arithmetic can neither divide by zero nor overflow.
        for (name, values, low) in [("kernel_shape", kernel, 1), ("strides", strides, 1), ("dilations", dilations, 1),
                                    ("pads", pads, 0)] {
            if let values, values.contains(where: { $0 < low || $0 > Self.maxValue }) {
                throw ctx.fail("\(name) \(values) must hold values in \(low)...\(Self.maxValue)")
            }
        }
        guard ["NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"].contains(autoPad) else {
            throw ctx.fail("auto_pad '\(autoPad)' is not an ONNX padding mode")
        }
    }

    /// The window for `rank` spatial dimensions, as 2-D values: a 1-D window runs as a 2-D one of
    /// height 1 on input with a height axis inserted (`ONNXWindow.lift`).
    func resolve(rank: Int) throws -> ONNXWindow {
        guard rank == 1 || rank == 2 else {
            throw TorchError.invalidArgument("only 1-D and 2-D windows are supported, not \(rank)-D")
        }
        func pair(_ values: [Int]?, offset: Int = 0, height: Int) throws -> (Int, Int)? {
            guard let values else { return nil }
            guard values.count >= offset + rank else {
                throw TorchError.invalidArgument("\(values) has too few values for a \(rank)-D window")
            }
            return rank == 1 ? (height, values[offset]) : (values[offset], values[offset + 1])
        }
        if let pads, pads.count != 2 * rank {
            throw TorchError.invalidArgument("pads \(pads) must hold \(2 * rank) values for a \(rank)-D window")
        }
        return ONNXWindow(
            flat: rank == 1,
            kernel: try pair(kernel, height: 1),
            stride: try pair(strides, height: 1) ?? (1, 1),
            dilation: try pair(dilations, height: 1) ?? (1, 1),
            padBegin: try pair(pads, height: 0) ?? (0, 0),
            padEnd: try pair(pads, offset: rank, height: 0) ?? (0, 0),
            autoPad: autoPad)
    }

    /// The window resolved at load time when the spatial rank is known then.
    func resolveIfKnown(rank: Int?) throws -> ONNXWindow? {
        guard let r = kernel?.count ?? rank else { return nil }
        return try resolve(rank: r)
    }
}

/// A window resolved to 2-D values.
struct ONNXWindow {
    let flat: Bool
    let kernel: (Int, Int)?
    let stride: (Int, Int)
    let dilation: (Int, Int)
    let padBegin: (Int, Int)
    let padEnd: (Int, Int)
    let autoPad: String

    /// Inserts the height axis of a 1-D window (NCL -> NC1L); weights lift the same way.
    func lift(_ x: Tensor) throws -> Tensor { flat ? try x.unsqueeze(2) : x }
    func lower(_ y: Tensor) throws -> Tensor { flat ? try y.squeeze(2) : y }

    /// Pads for a lifted NCHW input; SAME_UPPER / SAME_LOWER are computed from its size.
    func pads(for x: Tensor, kernel: () throws -> (Int, Int)) throws -> (begin: (Int, Int), end: (Int, Int)) {
        switch autoPad {
        case "VALID": return ((0, 0), (0, 0))
        case "SAME_UPPER", "SAME_LOWER":
            let k = try self.kernel ?? kernel()
            let shape = x.shape
            guard shape.count == 4 else {
                throw TorchError.invalidArgument("\(autoPad) padding needs N, C and spatial axes, not shape \(shape)")
            }
            func same(_ size: Int, _ k: Int, _ s: Int, _ d: Int) -> (Int, Int) {
                let out = (size + s - 1) / s
                let total = max(0, (out - 1) * s + (k - 1) * d + 1 - size)
                let small = total / 2
                return autoPad == "SAME_UPPER" ? (small, total - small) : (total - small, small)
            }
            let h = same(shape[2], k.0, stride.0, dilation.0), w = same(shape[3], k.1, stride.1, dilation.1)
            return ((h.0, w.0), (h.1, w.1))
        default:
            return (padBegin, padEnd)
        }
    }

    /// Height and width of a lifted 4-D weight (the kernel size when no kernel_shape is given).
    static func spatialSize(of w: Tensor) throws -> (Int, Int) {
        let shape = w.shape
        guard shape.count == 4 else { throw TorchError.invalidArgument("the weight must be 4-D, not shape \(shape)") }
        return (shape[2], shape[3])
    }

    /// `x` padded explicitly (for pads a symmetric-padding libtorch op cannot take).
    static func padded(_ x: Tensor, begin: (Int, Int), end: (Int, Int), value: Double = 0) throws -> Tensor {
        try x.pad([begin.1, end.1, begin.0, end.0], value: value)
    }
}
