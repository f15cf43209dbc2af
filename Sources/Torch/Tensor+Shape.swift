import CTorch

// Shape changes, joins and splits.

extension Tensor {
    func withShape(_ s: [Int], _ body: (UnsafePointer<Int64>?, Int32) -> OpaquePointer?) throws -> Tensor {
        let d = s.map(Int64.init)
        return try d.withUnsafeBufferPointer { try wrap(body($0.baseAddress, Int32(d.count))) }
    }

    public func view(_ shape: [Int]) throws -> Tensor { try withShape(shape) { ct_view(handle, $0, $1) } }
    public func reshape(_ shape: [Int]) throws -> Tensor { try withShape(shape) { ct_reshape(handle, $0, $1) } }
    public func permute(_ dims: [Int]) throws -> Tensor { try withShape(dims) { ct_permute(handle, $0, $1) } }
    public func expand(_ shape: [Int]) throws -> Tensor { try withShape(shape) { ct_expand(handle, $0, $1) } }
    public func repeated(_ repeats: [Int]) throws -> Tensor { try withShape(repeats) { ct_repeat(handle, $0, $1) } }
    public func flip(_ dims: [Int]) throws -> Tensor { try withShape(dims) { ct_flip(handle, $0, $1) } }
    public func transposed(_ d0: Int, _ d1: Int) throws -> Tensor { try wrap(ct_transpose(handle, Int64(d0), Int64(d1))) }
    /// Matrix transpose of a 2-D tensor.
    public func t() throws -> Tensor { try transposed(0, 1) }
    public func unsqueeze(_ dim: Int) throws -> Tensor { try wrap(ct_unsqueeze(handle, Int64(dim))) }
    public func squeeze(_ dim: Int) throws -> Tensor { try wrap(ct_squeeze(handle, Int64(dim))) }
    public func flatten(from start: Int = 0, to end: Int = -1) throws -> Tensor {
        try wrap(ct_flatten(handle, Int64(start), Int64(end)))
    }
    /// Elements `start..<end` (step `step`) along `dim`; negative bounds count from the end.
    public func slice(dim: Int, start: Int = 0, end: Int = Int(Int64.max), step: Int = 1) throws -> Tensor {
        try wrap(ct_slice(handle, Int64(dim), Int64(start), Int64(clamping: end), Int64(step)))
    }
    public func narrow(dim: Int, start: Int, length: Int) throws -> Tensor {
        try slice(dim: dim, start: start, end: start + length)
    }
    /// A view of this tensor's storage with the given sizes, strides (in elements) and storage
    /// offset, as `torch.as_strided`; libtorch rejects views reaching outside the storage.
    public func asStrided(size: [Int], stride: [Int], storageOffset: Int = 0) throws -> Tensor {
        guard size.count == stride.count else {
            throw TorchError.invalidArgument("as_strided: \(size.count) sizes but \(stride.count) strides")
        }
        let s = size.map(Int64.init), st = stride.map(Int64.init)
        return try wrap(ct_as_strided(handle, s, st, Int32(s.count), Int64(storageOffset)))
    }
    /// Removes `dim` by picking one index.
    public func select(dim: Int, index: Int) throws -> Tensor { try wrap(ct_select(handle, Int64(dim), Int64(index))) }
    public subscript(index: Int) -> Tensor {
        get throws { try select(dim: 0, index: index) }
    }

    public static func cat(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
        let handles: [OpaquePointer?] = tensors.map { $0.handle }
        return try withExtendedLifetime(tensors) { try wrap(ct_cat(handles, Int32(handles.count), Int64(dim))) }
    }
    public static func stack(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
        let handles: [OpaquePointer?] = tensors.map { $0.handle }
        return try withExtendedLifetime(tensors) { try wrap(ct_stack(handles, Int32(handles.count), Int64(dim))) }
    }

    static func list(_ result: UnsafeMutablePointer<OpaquePointer?>?, _ n: Int32) throws -> [Tensor] {
        guard let result else { throw lastError() }
        defer { ct_free(result) }
        return (0..<Int(n)).map { Tensor(handle: result[$0]!) }
    }
    /// Pieces of `size` along `dim` (the last may be smaller).
    public func split(size: Int, dim: Int = 0) throws -> [Tensor] {
        var n: Int32 = 0
        let r = ct_split(handle, Int64(size), Int64(dim), &n)
        return try Tensor.list(r, n)
    }
    public func chunk(_ chunks: Int, dim: Int = 0) throws -> [Tensor] {
        var n: Int32 = 0
        let r = ct_chunk(handle, Int64(chunks), Int64(dim), &n)
        return try Tensor.list(r, n)
    }

    public enum PadMode: Int32 { case constant = 0, reflect = 1, replicate = 2 }
    /// Pads the last dimensions; `pads` lists (before, after) pairs from the last dimension backwards.
    public func pad(_ pads: [Int], mode: PadMode = .constant, value: Double = 0) throws -> Tensor {
        try withShape(pads) { ct_pad(handle, $0, $1, mode.rawValue, value) }
    }
}
