/*
 * appname.c - compiled once per app with -DUK_APP_NAME="name": argv[0].
 */
#include "uk/vm/start.h"

const char uk_vm_app_name[] = UK_APP_NAME;
