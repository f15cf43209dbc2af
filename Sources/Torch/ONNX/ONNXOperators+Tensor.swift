// Shapes, indexing, joins, padding and type casts. Shape arithmetic runs on small int64 tensors,
// as in ONNX, so a graph's shapes follow the real input at run time.

extension ONNXOperator {
    static let tensorOperators: [String: ONNXOperator] = [
        "Identity": .unary { $0 }, "Shape": shape, "Gather": gather, "Unsqueeze": unsqueeze, "Squeeze": squeeze,
        "Concat": concat, "Reshape": reshape, "Flatten": flatten, "Transpose": transpose, "Slice": slice,
        "Pad": pad, "Cast": cast, "Expand": expand, "Tile": tile, "ConstantOfShape": constantOfShape, "Split": split,
    ]

    static let shape = ONNXOperator(inputs: 1) { ctx in
        let start = try ctx.int("start"), end = try ctx.int("end")
        return { inputs, _ in
            var dims = inputs[0]!.shape
            if start != nil || end != nil {
                let r = dims.count
                func clamped(_ v: Int) -> Int { min(max(v < 0 ? v + r : v, 0), r) }
                let s = clamped(start ?? 0), e = clamped(end ?? r)
                dims = s < e ? Array(dims[s..<e]) : []
            }
            return [try Tensor(dims.map(Int64.init))]
        }
    }

    static let gather = ONNXOperator(inputs: 2) { ctx in
        let axis = try ctx.int("axis", default: 0)
        if let constant = ctx.constantInput(1), constant.rank == 0 {
            let index = try ONNXOperator.integer(constant.item(), "the Gather index")
            return { inputs, _ in [try inputs[0]!.select(dim: axis, index: index)] }
        }
        return { inputs, _ in
            let x = inputs[0]!, indices = inputs[1]!
            if indices.rank == 0 {
                return [try x.select(dim: axis, index: ONNXOperator.integer(indices.item(), "the Gather index"))]
            }
            let shape = x.shape
            let a = try ONNXOperator.axis(axis, rank: shape.count)
            let flat = try indices.reshape([-1])
            let size = try Tensor.scalar(Double(shape[a]), dtype: flat.dtype)
            let wrapped = try Tensor.where(flat.lt(0), flat + size, flat)
            let picked = try x.indexSelect(dim: a, index: wrapped)
            return [try picked.reshape(Array(shape[..<a]) + indices.shape + Array(shape[(a + 1)...]))]
        }
    }

    static let unsqueeze = ONNXOperator(inputs: 1) { ctx in
        let axes = try ctx.ints("axes", orInput: 1)
        guard !axes.isAbsent else { throw ctx.fail("axes are required") }
        return { inputs, _ in
            var x = inputs[0]!
            let list = try axes.value(inputs)!
            let rank = x.rank + list.count
            for a in try list.map({ try ONNXOperator.axis($0, rank: rank) }).sorted() { x = try x.unsqueeze(a) }
            return [x]
        }
    }

    static let squeeze = ONNXOperator(inputs: 1) { ctx in
        let axes = try ctx.ints("axes", orInput: 1)
        return { inputs, _ in
            var x = inputs[0]!
            let shape = x.shape
            let list = try axes.value(inputs)?.map { try ONNXOperator.axis($0, rank: shape.count) }
                ?? shape.indices.filter { shape[$0] == 1 }
            for a in list.sorted(by: >) { x = try x.squeeze(a) }
            return [x]
        }
    }

    static let concat = ONNXOperator(inputs: 1) { ctx in
        guard let axis = try ctx.int("axis") else { throw ctx.fail("axis is required") }
        return { inputs, _ in [try Tensor.cat(inputs.compactMap { $0 }, dim: axis)] }
    }

    /// 0 in the target shape copies the input's dimension (unless allowzero), -1 is inferred.
    static let reshape = ONNXOperator(inputs: 1) { ctx in
        let target = try ctx.ints("shape", orInput: 1)
        guard !target.isAbsent else { throw ctx.fail("the target shape is required") }
        let allowZero = try ctx.int("allowzero", default: 0) != 0
        return { inputs, _ in
            let x = inputs[0]!
            var dims = try target.value(inputs)!
            if !allowZero, dims.contains(0) {
                let shape = x.shape
                for i in dims.indices where dims[i] == 0 && i < shape.count { dims[i] = shape[i] }
            }
            return [try x.reshape(dims)]
        }
    }

    static let flatten = ONNXOperator(inputs: 1) { ctx in
        let axis = try ctx.int("axis", default: 1)
        return { inputs, _ in
            let x = inputs[0]!, shape = x.shape
            let a = axis < 0 ? axis + shape.count : axis
            guard a >= 0, a <= shape.count else { throw TorchError.invalidArgument("axis \(axis) is outside rank \(shape.count)") }
            return [try x.reshape([shape[..<a].reduce(1, *), shape[a...].reduce(1, *)])]
        }
    }

    static let transpose = ONNXOperator(inputs: 1) { ctx in
        let perm = try ctx.ints("perm")
        return { inputs, _ in
            let x = inputs[0]!
            return [try x.permute(perm ?? Array((0..<x.rank).reversed()))]
        }
    }

    /// Positive steps are views (libtorch clamps the bounds as ONNX does); negative steps pick
    /// the indices ONNX defines.
    static let slice = ONNXOperator(inputs: 1) { ctx in
        let starts: ONNXOperand<[Int]>, ends: ONNXOperand<[Int]>, axes: ONNXOperand<[Int]>, steps: ONNXOperand<[Int]>
        if ctx.opset < 10 {
            func attribute(_ name: String) throws -> ONNXOperand<[Int]> { try ctx.ints(name).map { .constant($0) } ?? .absent }
            (starts, ends, axes, steps) = (try attribute("starts"), try attribute("ends"), try attribute("axes"), .absent)
        } else {
            (starts, ends, axes, steps) = (try ctx.intsInput(1), try ctx.intsInput(2), try ctx.intsInput(3), try ctx.intsInput(4))
        }
        guard !starts.isAbsent, !ends.isAbsent else { throw ctx.fail("starts and ends are required") }
        return { inputs, _ in
            var x = inputs[0]!
            let s = try starts.value(inputs)!, e = try ends.value(inputs)!
            let rank = x.rank
            let ax = try axes.value(inputs) ?? Array(0..<s.count)
            let st = try steps.value(inputs) ?? Array(repeating: 1, count: s.count)
            guard e.count == s.count, ax.count == s.count, st.count == s.count else {
                throw TorchError.invalidArgument("starts, ends, axes and steps differ in length")
            }
            for k in s.indices {
                let a = try ONNXOperator.axis(ax[k], rank: rank)
                if st[k] > 0 {
                    x = try x.slice(dim: a, start: s[k], end: e[k], step: st[k])
                } else if st[k] < 0 {
                    let n = x.size(a)
                    let start = min(max(s[k] < 0 ? s[k] + n : s[k], 0), n - 1)
                    let end = min(max(e[k] < 0 ? e[k] + n : e[k], -1), n - 1)
                    let picked = Array(stride(from: start, to: end, by: st[k])).map(Int64.init)
                    x = picked.isEmpty ? try x.slice(dim: a, start: 0, end: 0)
                        : try x.indexSelect(dim: a, index: Tensor(picked).to(x.device))
                } else {
                    throw TorchError.invalidArgument("a step of 0")
                }
            }
            return [x]
        }
    }

    /// ONNX pads are [begin of every axis..., end of every axis...]; negative pads crop.
    /// reflect and edge padding work on the last two axes (libtorch's 2-D padding).
    static let pad = ONNXOperator(inputs: 1) { ctx in
        let mode = try ctx.string("mode", default: "constant")
        let torchMode: Tensor.PadMode
        switch mode {
        case "constant": torchMode = .constant
        case "reflect": torchMode = .reflect
        case "edge": torchMode = .replicate
        default: throw ctx.fail("mode '\(mode)' is not supported")
        }
        let pads = try ctx.ints("pads", orInput: 1)
        guard !pads.isAbsent else { throw ctx.fail("pads are required") }
        let value: ONNXOperand<Double> = ctx.opset < 11 ? .constant(try ctx.float("value", default: 0)) : try ctx.doubleInput(2)
        let axes = try ctx.intsInput(3)
        return { inputs, _ in
            let x = inputs[0]!
            let rank = x.rank
            let p = try pads.value(inputs)!
            let ax = try axes.value(inputs)?.map { try ONNXOperator.axis($0, rank: rank) } ?? Array(0..<rank)
            guard p.count == 2 * ax.count else {
                throw TorchError.invalidArgument("pads \(p) must hold two values for each of \(ax.count) axes")
            }
            var begin = [Int](repeating: 0, count: rank), end = begin
            for (k, a) in ax.enumerated() {
                begin[a] = p[k]
                end[a] = p[k + ax.count]
            }
            var torchPads: [Int] = []
            for d in stride(from: rank - 1, through: 0, by: -1) { torchPads += [begin[d], end[d]] }
            if torchMode == .constant {
                while torchPads.count > 2, torchPads.suffix(2) == [0, 0] { torchPads.removeLast(2) }
                return [try x.pad(torchPads, mode: .constant, value: try value.value(inputs) ?? 0)]
            }
            guard torchPads.dropFirst(4).allSatisfy({ $0 == 0 }) else {
                throw TorchError.invalidArgument("\(mode) padding is supported on the last two axes only")
            }
            return [try x.pad(Array((torchPads + [0, 0]).prefix(4)), mode: torchMode)]
        }
    }

    static let cast = ONNXOperator(inputs: 1) { ctx in
        guard let to = try ctx.int("to") else { throw ctx.fail("attribute 'to' is required") }
        guard let code = Int32(exactly: to), let dtype = ONNXModel.ElementType(rawValue: code).dtype else {
            throw ctx.fail("cannot cast to ONNX type \(to)")
        }
        return { inputs, _ in [try inputs[0]!.to(dtype)] }
    }

    /// Broadcasts the input against the given shape (both ways, as ONNX's Expand does).
    static let expand = ONNXOperator(inputs: 2) { ctx in
        let target = try ctx.intsInput(1)
        return { inputs, _ in
            let x = inputs[0]!, shape = x.shape, wanted = try target.value(inputs)!
            let rank = max(shape.count, wanted.count)
            let a = Array(repeating: 1, count: rank - shape.count) + shape
            let b = Array(repeating: 1, count: rank - wanted.count) + wanted
            return [try x.expand(zip(a, b).map { $0 == 1 ? $1 : $0 })]
        }
    }

    static let tile = ONNXOperator(inputs: 2) { ctx in
        let repeats = try ctx.intsInput(1)
        return { inputs, _ in [try inputs[0]!.repeated(try repeats.value(inputs)!)] }
    }

    static let constantOfShape = ONNXOperator(inputs: 1) { ctx in
        let value = try ctx.tensor("value")
        let fill = try value.map { try $0.item() } ?? 0
        let dtype = value?.dtype ?? .float32
        let shape = try ctx.intsInput(0)
        return { inputs, _ in [try Tensor.full(try shape.value(inputs)!, fill, dtype: dtype)] }
    }

    /// Splits along `axis` by the given sizes, or into equal parts (the last one smaller).
    static let split = ONNXOperator(inputs: 1) { ctx in
        let axis = try ctx.int("axis", default: 0)
        let sizes = try ctx.ints("split", orInput: 1)
        let parts = try ctx.int("num_outputs") ?? ctx.node.outputs.count
        guard parts >= 1 else { throw ctx.fail("needs at least one output") }
        return { inputs, _ in
            let x = inputs[0]!
            let a = try ONNXOperator.axis(axis, rank: x.rank)
            let n = x.size(a)
            let chunk = (n + parts - 1) / parts
            let lengths = try sizes.value(inputs)
                ?? (0..<parts).map { min(chunk, max(0, n - $0 * chunk)) }
            var start = 0
            return try lengths.map { length in
                defer { start += length }
                return try x.narrow(dim: a, start: start, length: length)
            }
        }
    }
}
