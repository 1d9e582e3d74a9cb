/* A stand-in for Windows' bcryptprimitives.dll, which wine 8 lacks: Rust's std and Go
 * (1.22 and later) both import ProcessPrng from it for random bytes, and fail to start
 * without it. ProcessPrng is "fill this buffer with random bytes, never fail"; advapi32's
 * RtlGenRandom (exported as SystemFunction036), which wine has, does the same thing.
 * Built without a C library (nothing here needs one), so zig makes it in under a second. */
typedef unsigned char BYTE;
typedef unsigned long ULONG;
typedef unsigned long long SIZE_T;
typedef int BOOL;
typedef unsigned char BOOLEAN;

__declspec(dllimport) BOOLEAN __stdcall SystemFunction036(void *buffer, ULONG length);

__declspec(dllexport) BOOL __stdcall ProcessPrng(BYTE *data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x7fffffff ? 0x7fffffff : (ULONG)length;
        if (!SystemFunction036(data, chunk)) {
            return 0;
        }
        data += chunk;
        length -= chunk;
    }
    return 1;
}

BOOL __stdcall DllMainCRTStartup(void *module, ULONG reason, void *reserved) {
    (void)module;
    (void)reason;
    (void)reserved;
    return 1;
}
