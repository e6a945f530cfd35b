/*
 * start.h - boot sequence of the vm target, and the per-app name.
 */
#ifndef UK_VM_START_H
#define UK_VM_START_H

/* argv[0]: from appname.c, compiled once per app. */
extern const char uk_vm_app_name[];

/* The boot log lines (timings, clock, network), once the app is ready. */
void	start_report(void);

#endif
