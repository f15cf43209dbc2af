import CTorch

/// Out-of-place transpose of a float block, through OpenBLAS (`cblas_somatcopy`, about twice as
/// fast as libtorch 1.13's strided copy of a transposed view), or a plain loop where the BLAS has
/// no such function.
public enum MatrixTranspose {
    /// destination[c * destinationStride + r] = source[r * sourceStride + c] for r < rows, c < columns.
    public static func transpose(rows: Int, columns: Int, source: UnsafePointer<Float>, sourceStride: Int,
                                 into destination: UnsafeMutablePointer<Float>, destinationStride: Int) {
        precondition(columns <= sourceStride && rows <= destinationStride)
        guard rows > 0, columns > 0 else { return }
        if ct_blas_transpose(Int64(rows), Int64(columns), source, Int64(sourceStride), destination,
                             Int64(destinationStride)) == 0 { return }
        for r in 0..<rows {
            for c in 0..<columns { destination[c * destinationStride + r] = source[r * sourceStride + c] }
        }
    }
}
