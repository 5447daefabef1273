/* A stand-in for Windows' bcryptprimitives.dll, for testing innsyn.exe under Wine
 * versions that lack it (Debian 12's Wine 8.0). Rust's standard library asks it
 * for random numbers (ProcessPrng, Windows 10 and later); this one forwards to
 * RtlGenRandom (SystemFunction036 in advapi32), which Wine has.
 *
 * It is only placed beside innsyn.exe in scripts/release's test folder, never
 * shipped: real Windows has the DLL.
 *
 * Build: x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll bcryptprimitives.c -ladvapi32
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) {
            return FALSE;
        }
        data += chunk;
        length -= chunk;
    }
    /* Like Windows' own, which is documented never to fail. */
    return TRUE;
}
