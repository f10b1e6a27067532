package pgcluster

import "syscall"

// removeShm marks the System V shared memory segment id for removal (shmctl IPC_RMID); errors are ignored: the
// segment may already be gone.
func removeShm(id int) {
	const ipcRmid = 0
	syscall.Syscall(syscall.SYS_SHMCTL, uintptr(id), ipcRmid, 0)
}
