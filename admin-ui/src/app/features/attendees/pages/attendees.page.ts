import { ChangeDetectionStrategy, Component } from '@angular/core';

@Component({ selector: 'app-attendees-page', template: '<p>TODO</p>', changeDetection: ChangeDetectionStrategy.OnPush })
export default class Page {}
